import { z } from 'zod';
import { messageTarget, mutationOptions, ONE_TARGET, oneTarget } from './actions.js';

// Group management and polls (client → hub): actions on a chat, routed to an account in it.

/** Which chat: its hub id or its chat guid (exactly one), and optionally the account to act through. */
const chatTarget = {
  chat_id: z.number().int().positive().optional(),
  chat_guid: z.string().min(1).max(300).optional(),
  /** Act through this account (it must be in the chat); default: the one the route picks among the members. */
  account: z.string().max(64).optional(),
  ...mutationOptions,
};
const oneChat = (p: { chat_id?: number | undefined; chat_guid?: string | undefined }) => (p.chat_id === undefined) !== (p.chat_guid === undefined);
const ONE_CHAT = { message: 'name the chat by chat_id or by chat_guid (exactly one)' };

/** `group.rename`: the group's new name (empty clears it). */
export const GroupRenameParamsSchema = z.object({ ...chatTarget, name: z.string().max(500) }).refine(oneChat, ONE_CHAT);
export type GroupRenameParams = z.infer<typeof GroupRenameParamsSchema>;

/** `group.add_member` / `group.remove_member`: a phone number or email. */
export const GroupMemberParamsSchema = z.object({ ...chatTarget, address: z.string().trim().min(3).max(320) }).refine(oneChat, ONE_CHAT);
export type GroupMemberParams = z.infer<typeof GroupMemberParamsSchema>;

/** `group.leave`: the acting account leaves the group. */
export const GroupLeaveParamsSchema = z.object(chatTarget).refine(oneChat, ONE_CHAT);
export type GroupLeaveParams = z.infer<typeof GroupLeaveParamsSchema>;

/** `group.set_icon`: a photo already uploaded (`upload.*`); absent clears the group's photo. */
export const GroupIconParamsSchema = z
  .object({ ...chatTarget, file: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), name: z.string().min(1).max(255) }).optional() })
  .refine(oneChat, ONE_CHAT);
export type GroupIconParams = z.infer<typeof GroupIconParamsSchema>;

/** `poll.send`: a question with 2–12 options, optionally as a reply (guid) and without imsg's caption. */
export const PollSendParamsSchema = z
  .object({
    ...chatTarget,
    question: z.string().min(1).max(1000),
    options: z.array(z.string().trim().min(1).max(300)).min(2).max(12),
    reply_to: z.string().min(1).max(200).optional(),
    /** imsg's caption row after the poll (imsg writes one by default); or none with suppress_comment. */
    comment: z.string().min(1).max(1000).optional(),
    suppress_comment: z.boolean().optional(),
  })
  .refine(oneChat, ONE_CHAT)
  .refine((p) => !(p.comment !== undefined && p.suppress_comment), { message: 'comment and suppress_comment are mutually exclusive' })
  .refine((p) => new Set(p.options).size === p.options.length, { message: 'poll options must be distinct' });
export type PollSendParams = z.infer<typeof PollSendParamsSchema>;

/** `poll.vote` / `poll.unvote`: the poll (a message), and one option by id, 1-based index or text. */
export const PollVoteParamsSchema = z
  .object({
    ...messageTarget,
    option_id: z.string().min(1).max(200).optional(),
    option_index: z.number().int().positive().max(100).optional(),
    option: z.string().min(1).max(300).optional(),
  })
  .refine(oneTarget, ONE_TARGET)
  .refine((p) => [p.option_id, p.option_index, p.option].filter((o) => o !== undefined).length === 1, {
    message: 'give exactly one of option_id, option_index or option',
  });
export type PollVoteParams = z.infer<typeof PollVoteParamsSchema>;
