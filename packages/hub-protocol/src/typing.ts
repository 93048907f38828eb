import { z } from 'zod';

// Typing indicators (issue 13 "Events"): from accounts whose imsg streams bridge events
// (`bridge.events.subscribe`, imsg 0.15 with its bridge), forwarded by the agent, fanned out by the
// hub to watches that asked (`include_typing`). Ephemeral: never stored, never replayed.

/** `chat.typing` (agent → hub notification): someone started or stopped typing in a chat of the account. */
export const ChatTypingParamsSchema = z.object({
  account: z.string().min(1).max(64),
  /** The chat's guid in the account's chat.db, as the bridge names it (`iMessage;-;+1555…`). */
  chat_guid: z.string().min(1).max(512),
  typing: z.boolean(),
  /** When the bridge logged it (ISO 8601), when it said. */
  at: z.string().max(40).optional(),
});
export type ChatTypingParams = z.infer<typeof ChatTypingParamsSchema>;

/**
 * `typing` (hub → client notification, watches with `include_typing`): `chat_id` is the hub chat
 * (in merged watches, the conversation's) when the hub knows the chat; `chat_guid` always.
 */
export const TypingNotificationSchema = z.object({
  subscription: z.number().int(),
  account: z.string(),
  chat_id: z.number().int().positive().optional(),
  chat_guid: z.string(),
  typing: z.boolean(),
  at: z.string(),
});
export type TypingNotification = z.infer<typeof TypingNotificationSchema>;
