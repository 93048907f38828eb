import { z } from 'zod';

/** A reply's parent: its hub id or guid (exactly one), and which of its parts (0 = the first). */
export const ReplyToSchema = z
  .object({
    message_id: z.number().int().positive().optional(),
    guid: z.string().min(1).max(200).optional(),
    part_index: z.number().int().nonnegative().max(100).optional(),
  })
  .refine((p) => (p.message_id === undefined) !== (p.guid === undefined), { message: 'name the message replied to by message_id or by guid (exactly one)' });
export type ReplyTo = z.infer<typeof ReplyToSchema>;

/** The fields of `send` that make it a rich send (imsg 0.15's bridge methods). */
export const RichSendFields = {
  /** Thread under this message (inline reply); the reply goes through an account that holds it. */
  reply_to: ReplyToSchema.optional(),
  /** An expressive send effect: imsg's short name (`confetti`, `slam` …) or its full id. */
  effect: z.string().min(1).max(200).optional(),
  subject: z.string().min(1).max(1000).optional(),
  /** Several text parts sent as one message (imsg `send.multipart`, 1–20 parts); instead of `text`. */
  parts: z
    .array(z.object({ text: z.string().min(1).max(100_000) }))
    .min(1)
    .max(20)
    .optional(),
  /** Send `file` as a voice message (imsg converts it). */
  audio: z.boolean().optional(),
};

/** Whether a send needs one of imsg's bridge send methods rather than plain `send`. */
export function isRichSend(p: { reply_to?: unknown; effect?: unknown; subject?: unknown; parts?: unknown; audio?: unknown }): boolean {
  return p.reply_to !== undefined || p.effect !== undefined || p.subject !== undefined || p.parts !== undefined || p.audio === true;
}
