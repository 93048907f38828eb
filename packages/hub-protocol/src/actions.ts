import { z } from 'zod';

/**
 * imsg mutations the hub can route to an account's imsg besides `send`, each the name of the imsg
 * 0.15 method an agent passes it to. Every one goes through the durable outbox under an idempotency key.
 */
export const ACTION_METHODS = [
  'tapback',
  'message.edit',
  'message.unsend',
  'send.rich',
  'send.multipart',
  'send.attachment',
  'group.rename',
  'group.addParticipant',
  'group.removeParticipant',
  'group.leave',
  'group.setIcon',
  'poll.send',
  'poll.vote',
  'poll.unvote',
] as const;
export const ActionMethodSchema = z.enum(ACTION_METHODS);
export type ActionMethod = z.infer<typeof ActionMethodSchema>;

/** The six classic tapbacks (imsg's RPC names). */
export const TAPBACK_KINDS = ['love', 'like', 'dislike', 'laugh', 'emphasize', 'question'] as const;
export const TapbackKindSchema = z.enum(TAPBACK_KINDS);

/** Every mutation's idempotency key and how long the call waits for its outcome. */
export const mutationOptions = {
  idempotency_key: z.string().min(1).max(200).optional(),
  /** How long the call waits for the outcome before answering with where it stands. */
  wait_ms: z.number().int().nonnegative().max(120_000).optional(),
};

/** Which stored message an action is about: its hub id, or its guid (any account's copy). */
export const messageTarget = {
  message_id: z.number().int().positive().optional(),
  guid: z.string().min(1).max(200).optional(),
  /** Act through this account (it must hold the message; for edit/unsend, have sent it). */
  account: z.string().max(64).optional(),
  /** Which part of a multi-part message (0 = the first). */
  part_index: z.number().int().nonnegative().max(100).optional(),
  ...mutationOptions,
};
export const oneTarget = (p: { message_id?: number | undefined; guid?: string | undefined }) => (p.message_id === undefined) !== (p.guid === undefined);
export const ONE_TARGET = { message: 'name the message by message_id or by guid (exactly one)' };

/** `message.react` (client → hub): a classic tapback (`kind`) or any emoji (`emoji`), added or removed. */
export const ReactParamsSchema = z
  .object({ ...messageTarget, kind: TapbackKindSchema.optional(), emoji: z.string().min(1).max(32).optional(), remove: z.boolean().optional() })
  .refine(oneTarget, ONE_TARGET)
  .refine((p) => (p.kind === undefined) !== (p.emoji === undefined), { message: 'give a tapback kind or an emoji (exactly one)' });
export type ReactParams = z.infer<typeof ReactParamsSchema>;

/** `message.edit` (client → hub): new text for a message one of your accounts sent. */
export const EditParamsSchema = z.object({ ...messageTarget, text: z.string().min(1).max(100_000) }).refine(oneTarget, ONE_TARGET);
export type EditParams = z.infer<typeof EditParamsSchema>;

/** `message.unsend` (client → hub): retract a message one of your accounts sent. */
export const UnsendParamsSchema = z.object(messageTarget).refine(oneTarget, ONE_TARGET);
export type UnsendParams = z.infer<typeof UnsendParamsSchema>;
