import { ImsgAttachmentSchema, ImsgChatSchema, ImsgMessageSchema } from '@imsg-hub/imsg-protocol';
import { z } from 'zod';

/** Where an inbound attachment's bytes are: in the hub's blob store, missing on the Mac, or refused for size. */
export const BlobStateSchema = z.enum(['stored', 'missing', 'too_large', 'failed']);
export type BlobState = z.infer<typeof BlobStateSchema>;

/** An imsg attachment plus where the hub keeps its bytes. */
export const HubAttachmentSchema = ImsgAttachmentSchema.extend({
  blob: z.string().optional(),
  blob_state: BlobStateSchema.optional(),
});
export type HubAttachment = z.infer<typeof HubAttachmentSchema>;

/**
 * A message as the hub gives it to clients: imsg's shape, with hub ids in `id`/`chat_id`
 * (globally unique), tagged with its account, plus where it came from.
 */
export const HubMessageSchema = ImsgMessageSchema.extend({
  /** Hub sequence number. */
  id: z.number().int().positive(),
  /** Hub chat id of this copy's chat (in merged views: of the conversation's first chat). */
  chat_id: z.number().int().nonnegative(),
  account: z.string(),
  /** Every account known to have a copy of this message (one unless a shared group). */
  accounts: z.array(z.string()),
  native_id: z.number().int(),
  native_chat_id: z.number().int(),
  /** Replayed old row (reconnect, rewind), not a live arrival. */
  replay: z.boolean(),
  attachments: z.array(HubAttachmentSchema),
  /** Idempotency key of the hub send this row echoes, when it is one. */
  send_key: z.string().optional(),
});
export type HubMessage = z.infer<typeof HubMessageSchema>;

/** A chat as the hub lists it: imsg's shape with a hub id, tagged with its account(s). */
export const HubChatSchema = ImsgChatSchema.extend({
  id: z.number().int().positive(),
  account: z.string(),
  /** Accounts whose chats are linked into this conversation (shared groups). */
  accounts: z.array(z.string()),
  native_id: z.number().int(),
  /** `<account>:chat_id:<id>`, the form people type. */
  ref: z.string(),
  /**
   * Inbound messages not read, as the account's imsg last reported (0.14+); merged: the largest
   * among the conversation's chats (docs/hub-protocol.md "Unread counts"). Absent when unknown.
   */
  unread_count: z.number().int().nonnegative().optional(),
});
export type HubChat = z.infer<typeof HubChatSchema>;
