import { z } from 'zod';
import { ImsgErrorSchema } from './agent-methods.js';
import { RichSendFields } from './rich-send.js';

/**
 * Where a send stands. `in_doubt`: the account's imsg may or may not have sent it; it is never sent
 * again on a guess (the agent looks it up where it can; `send.resolve` settles it otherwise).
 */
export const SendStateSchema = z.enum(['queued', 'dispatched', 'sent', 'failed', 'expired', 'in_doubt']);
export type SendState = z.infer<typeof SendStateSchema>;

/**
 * `send` (client → hub). `target` uses the design's grammar, optionally `<account>/`-prefixed; a
 * reply may leave it out (it goes to the chat of the message replied to). A reply, an effect, a
 * subject, `parts` or `audio` make it a rich send (imsg `send.rich` / `send.multipart` /
 * `send.attachment`), which the acting account's imsg must offer (see rich-send.ts).
 */
export const SendRequestSchema = z
  .object({
    target: z.string().min(1).max(512).optional(),
    text: z.string().max(100_000).optional(),
    /** A file already uploaded (`upload.*`), by its sha256, with the name imsg should send it as. */
    file: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), name: z.string().min(1).max(255) }).optional(),
    account: z.string().max(64).optional(),
    service: z.enum(['auto', 'imessage', 'sms']).optional(),
    region: z
      .string()
      .regex(/^[A-Za-z]{2}$/)
      .optional(),
    idempotency_key: z.string().min(1).max(200).optional(),
    /** How long the send may wait for an offline agent; 0 = fail at once when offline. */
    queue_ttl_s: z
      .number()
      .int()
      .nonnegative()
      .max(7 * 24 * 3600)
      .optional(),
    /** How long this call waits for a final state before answering with the current one. */
    wait_ms: z.number().int().nonnegative().max(120_000).optional(),
    /** Wait (within wait_ms) until the message is delivered or read, not only sent. */
    wait_for: z.enum(['sent', 'delivered', 'read']).optional(),
    ...RichSendFields,
  })
  .refine((p) => p.target !== undefined || p.reply_to !== undefined, { message: 'target is required (unless reply_to names the message replied to)' });
export type SendRequest = z.infer<typeof SendRequestSchema>;

/** Where a send stands. `result` carries imsg's id/guid; `message_id` the hub message of the echo row. */
export const SendOutcomeSchema = z.object({
  idempotency_key: z.string(),
  state: SendStateSchema,
  account: z.string(),
  target: z.string(),
  /** How the account was chosen: explicit, chat, rule, affinity, default. */
  route: z.string(),
  chat_id: z.number().int().optional(),
  result: z.object({ id: z.number().int().optional(), guid: z.string().optional(), transport: z.string().optional() }).loose().optional(),
  message_id: z.number().int().optional(),
  error: ImsgErrorSchema.optional(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type SendOutcome = z.infer<typeof SendOutcomeSchema>;

export const SendStatusParamsSchema = z.object({
  idempotency_key: z.string().min(1).max(200),
  /** Wait up to this long for a final state (or `wait_for`) before answering. */
  wait_ms: z.number().int().nonnegative().max(120_000).optional(),
  wait_for: z.enum(['sent', 'delivered', 'read']).optional(),
});

/**
 * `send.resolve` (client → hub): settles a send `in_doubt` by what the operator saw in the chat.
 * `sent`: it arrived, record it so; `resend`: it did not, send it once more.
 */
export const SendResolveParamsSchema = z.object({
  idempotency_key: z.string().min(1).max(200),
  outcome: z.enum(['sent', 'resend']),
  /** How long to wait for a resend's outcome before answering with the current one. */
  wait_ms: z.number().int().nonnegative().max(120_000).optional(),
});
export type SendResolveParams = z.infer<typeof SendResolveParamsSchema>;

/** How far a sent message got, as the recipient's device reported it (`result.delivery`). */
export const DeliverySchema = z.enum(['sent', 'delivered', 'read']);
export type Delivery = z.infer<typeof DeliverySchema>;
