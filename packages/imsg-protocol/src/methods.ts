import { z } from 'zod';
import { ImsgChatSchema, ImsgMessageSchema } from './message.js';

// Results and params of the five core methods plus typing/read (reference/imsg-protocol.md §2, §5, §6).

export const ChatsListParamsSchema = z.looseObject({ limit: z.number().int().optional() });
export type ChatsListParams = z.infer<typeof ChatsListParamsSchema>;
export const ChatsListResultSchema = z.looseObject({ chats: z.array(ImsgChatSchema) });
export type ChatsListResult = z.infer<typeof ChatsListResultSchema>;

export const HistoryParamsSchema = z.looseObject({
  chat_id: z.number().int(),
  limit: z.number().int().optional(),
  participants: z.array(z.string()).optional(),
  start: z.string().optional(),
  end: z.string().optional(),
  attachments: z.boolean().optional(),
  convert_attachments: z.boolean().optional(),
});
export type HistoryParams = z.infer<typeof HistoryParamsSchema>;
export const HistoryResultSchema = z.looseObject({ messages: z.array(ImsgMessageSchema) });
export type HistoryResult = z.infer<typeof HistoryResultSchema>;

export const SubscribeParamsSchema = z.looseObject({
  chat_id: z.number().int().optional(),
  since_rowid: z.number().int().optional(),
  participants: z.array(z.string()).optional(),
  start: z.string().optional(),
  end: z.string().optional(),
  attachments: z.boolean().optional(),
  convert_attachments: z.boolean().optional(),
  include_reactions: z.boolean().optional(),
  debounce_ms: z.number().int().nonnegative().optional(),
});
export type SubscribeParams = z.infer<typeof SubscribeParamsSchema>;
export const SubscribeResultSchema = z.looseObject({ subscription: z.number().int() });
export const UnsubscribeParamsSchema = z.looseObject({ subscription: z.number().int() });
export const OkResultSchema = z.looseObject({ ok: z.boolean() });

/** The kinds of service `send` accepts, case-sensitive (§5.1). */
export const SendServiceSchema = z.enum(['auto', 'imessage', 'sms']);
export type SendService = z.infer<typeof SendServiceSchema>;

export const SendParamsSchema = z.looseObject({
  to: z.string().optional(),
  chat_id: z.number().int().optional(),
  chat_identifier: z.string().optional(),
  chat_guid: z.string().optional(),
  text: z.string().optional(),
  file: z.string().optional(),
  service: SendServiceSchema.optional(),
  region: z.string().optional(),
  transport: z.string().optional(),
});
export type SendParams = z.infer<typeof SendParamsSchema>;
export const SendResultSchema = z.looseObject({
  ok: z.boolean(),
  transport: z.string().optional(),
  id: z.number().int().optional(),
  guid: z.string().optional(),
});
export type SendResult = z.infer<typeof SendResultSchema>;

/** `typing` and `read` (bridge methods, §6): a `to` handle or a chat target. */
export const ChatTargetParamsSchema = z.looseObject({
  to: z.string().optional(),
  chat_id: z.number().int().optional(),
  chat_identifier: z.string().optional(),
  chat_guid: z.string().optional(),
});
export const TypingParamsSchema = ChatTargetParamsSchema.extend({
  typing: z.boolean().optional(),
  service: z.string().optional(),
});
export type TypingParams = z.infer<typeof TypingParamsSchema>;
export const ReadParamsSchema = ChatTargetParamsSchema;
export type ReadParams = z.infer<typeof ReadParamsSchema>;

/** `message` notification of a watch subscription. */
export const MessageNotificationSchema = z.looseObject({
  subscription: z.number().int(),
  message: ImsgMessageSchema,
});
export type MessageNotification = z.infer<typeof MessageNotificationSchema>;

/** `error` notification: the subscription's stream failed and emits nothing more. */
export const ErrorNotificationSchema = z.looseObject({
  subscription: z.number().int(),
  error: z.looseObject({ message: z.string() }),
});
export type ErrorNotification = z.infer<typeof ErrorNotificationSchema>;

/** The methods every imsg since 0.6 answers. */
export const CORE_METHODS = ['chats.list', 'messages.history', 'watch.subscribe', 'watch.unsubscribe', 'send'] as const;

/** `kSupportedRPCMethods` of imsg 0.9.0 (§1.6), in its order. */
export const IMSG_090_METHODS = [
  'chats.list',
  'chats.create',
  'chats.delete',
  'chats.markUnread',
  'messages.history',
  'watch.subscribe',
  'watch.unsubscribe',
  'send',
  'send.rich',
  'send.attachment',
  'tapback',
  'typing',
  'read',
  'message.edit',
  'message.unsend',
  'message.delete',
  'message.notifyAnyways',
  'group.rename',
  'group.setIcon',
  'group.addParticipant',
  'group.removeParticipant',
  'group.leave',
] as const;
