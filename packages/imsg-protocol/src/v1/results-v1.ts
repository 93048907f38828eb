import { z } from 'zod';
import { ImsgMessageSchema } from '../message.js';

// Payloads and results that imsg 0.14/0.15 adds or changes (reference/imsg-protocol-v1.md §3–4).
// Additive to the 0.9 shapes: unknown keys are kept, every new key is optional.

/** §4.1 — a chat of 0.15's `chats.list`: `guid` omitted when empty, routing and unread fields. */
export const ImsgChatV1Schema = z.looseObject({
  id: z.number().int(),
  identifier: z.string(),
  guid: z.string().optional(),
  name: z.string(),
  service: z.string(),
  last_message_at: z.string(),
  participants: z.array(z.string()),
  is_group: z.boolean(),
  display_name: z.string().optional(),
  contact_name: z.string().optional(),
  account_id: z.string().optional(),
  account_login: z.string().optional(),
  last_addressed_handle: z.string().optional(),
  unread_count: z.number().int().optional(),
});
export type ImsgChatV1 = z.infer<typeof ImsgChatV1Schema>;

/** §4.2 — `chats.get`: the chat detail, guid always present (maybe ""). */
export const ChatDetailSchema = z.looseObject({
  id: z.number().int(),
  identifier: z.string(),
  guid: z.string(),
  name: z.string(),
  service: z.string(),
  is_group: z.boolean(),
  participants: z.array(z.string()),
  account_id: z.string().optional(),
  account_login: z.string().optional(),
  last_addressed_handle: z.string().optional(),
});

/** §4.6 */
export const UrlPreviewSchema = z.looseObject({ id: z.number().int(), guid: z.string(), balloon_bundle_id: z.string(), created_at: z.string() });

/** §4.3 — a message with the keys 0.11–0.15 added. */
export const ImsgMessageV1Schema = ImsgMessageSchema.extend({
  thread_originator_part: z.string().optional(),
  balloon_bundle_id: z.string().optional(),
  url_preview: UrlPreviewSchema.optional(),
  poll: z.looseObject({}).optional(),
  is_read: z.boolean().optional(),
  date_read: z.string().optional(),
  cursor: z.number().int().optional(),
});
export type ImsgMessageV1 = z.infer<typeof ImsgMessageV1Schema>;

export const ChatsListV1ResultSchema = z.looseObject({ chats: z.array(ImsgChatV1Schema) });
export const MessagesV1ResultSchema = z.looseObject({ messages: z.array(ImsgMessageV1Schema) });

/** §3.5 — one page of the ROWID-ordered catch-up pager. */
export const MessagesAfterResultSchema = z.looseObject({
  messages: z.array(ImsgMessageV1Schema),
  next_rowid: z.number().int(),
  has_more: z.boolean(),
});
export type MessagesAfterResult = z.infer<typeof MessagesAfterResultSchema>;

export const WatchSubscribeV1ResultSchema = z.looseObject({ subscription: z.number().int(), buffer_limit: z.number().int() });
export const BridgeEventsSubscribeResultSchema = z.looseObject({
  subscription: z.number().int(),
  buffer_limit: z.number().int(),
  resumable: z.literal(false),
});

/** §3.9.4 — the terminal notification of a watch whose buffer filled. */
export const WatchOverflowNotificationSchema = z.looseObject({
  subscription: z.number().int(),
  resume_after_rowid: z.number().int(),
  reason: z.string(),
  terminal: z.literal(true),
});
export type WatchOverflowNotification = z.infer<typeof WatchOverflowNotificationSchema>;

/** §3.11 */
export const BridgeEventSchema = z.looseObject({ event: z.string(), ts: z.string().optional(), data: z.record(z.string(), z.unknown()) });
export const BridgeEventNotificationSchema = z.looseObject({ subscription: z.number().int(), event: BridgeEventSchema });
export type BridgeEvent = z.infer<typeof BridgeEventSchema>;

/** §3.12 / §3.13 — results of `send` and `send.tracked`. */
export const SendV1ResultSchema = z.looseObject({
  ok: z.literal(true),
  transport: z.enum(['bridge', 'applescript']),
  id: z.number().int().optional(),
  guid: z.string().optional(),
  message_id: z.string().optional(),
  chat_guid: z.string().optional(),
  service: z.string().optional(),
  attempt_id: z.string().optional(),
});
export type SendV1Result = z.infer<typeof SendV1ResultSchema>;

export const SendStateSchema = z.enum(['pending', 'sent', 'delivered', 'failed']);
export type SendState = z.infer<typeof SendStateSchema>;

/** §3.14 — `message.send_status`; explicit nulls where imsg writes them. */
export const SendStatusResultSchema = z.looseObject({
  ok: z.literal(true),
  guid: z.string(),
  send_state: SendStateSchema,
  service: z.string().nullable(),
  checked_at: z.string(),
  delivered_at: z.string().optional(),
  status_fields: z
    .looseObject({
      is_sent: z.boolean(),
      is_delivered: z.boolean(),
      is_finished: z.boolean(),
      error: z.number().int(),
      date_delivered: z.string().nullable(),
      date_read: z.string().nullable(),
      is_delayed: z.boolean(),
      is_prepared: z.boolean(),
      is_pending_satellite_send: z.boolean(),
      was_downgraded: z.boolean(),
    })
    .nullable(),
});
export type SendStatusResult = z.infer<typeof SendStatusResultSchema>;

/** §3.18 — `tapback`: the normalized classic kind (`remove-` prefixed) or the emoji sent. */
export const TapbackResultSchema = z.union([
  z.looseObject({ ok: z.literal(true), reaction: z.string() }),
  z.looseObject({ ok: z.literal(true), emoji: z.string() }),
]);

/** §3.21 */
export const HandlesCheckResultSchema = z.looseObject({
  ok: z.literal(true),
  address: z.string(),
  alias_type: z.enum(['phone', 'email']),
  destination: z.string().optional(),
  id_status: z.number().int().optional(),
  available: z.boolean().optional(),
  service: z.literal('iMessage'),
});
