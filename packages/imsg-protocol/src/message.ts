import { z } from 'zod';

// Shapes of imsg 0.9 payloads (reference/imsg-protocol.md §3). Tolerant on purpose: unknown keys
// are kept (the schema is additive-only) and optional keys may be absent.

/** §3.3 — metadata of one attachment; bytes are never inline. */
export const ImsgAttachmentSchema = z.looseObject({
  filename: z.string(),
  transfer_name: z.string(),
  uti: z.string(),
  mime_type: z.string(),
  total_bytes: z.number().int(),
  is_sticker: z.boolean(),
  original_path: z.string(),
  missing: z.boolean(),
  converted_path: z.string().optional(),
  converted_mime_type: z.string().optional(),
});
export type ImsgAttachment = z.infer<typeof ImsgAttachmentSchema>;

export const ReactionTypeSchema = z.enum(['love', 'like', 'dislike', 'laugh', 'emphasis', 'question', 'custom']);
export type ReactionType = z.infer<typeof ReactionTypeSchema>;

/** §3.2 — one current tapback on a message. */
export const ImsgReactionSchema = z.looseObject({
  id: z.number().int(),
  type: z.string(),
  emoji: z.string(),
  sender: z.string(),
  is_from_me: z.boolean(),
  created_at: z.string(),
  sender_name: z.string().optional(),
});
export type ImsgReaction = z.infer<typeof ImsgReactionSchema>;

/** §3.1 — a message as history and watch return it. `id` is the chat.db ROWID. */
export const ImsgMessageSchema = z.looseObject({
  id: z.number().int(),
  chat_id: z.number().int(),
  guid: z.string(),
  sender: z.string(),
  is_from_me: z.boolean(),
  text: z.string(),
  created_at: z.string(),
  attachments: z.array(ImsgAttachmentSchema),
  reactions: z.array(ImsgReactionSchema),
  chat_identifier: z.string(),
  chat_guid: z.string(),
  chat_name: z.string(),
  participants: z.array(z.string()),
  is_group: z.boolean(),
  sender_name: z.string().optional(),
  reply_to_guid: z.string().optional(),
  thread_originator_guid: z.string().optional(),
  reply_to_text: z.string().optional(),
  reply_to_sender: z.string().optional(),
  destination_caller_id: z.string().optional(),
  is_reaction: z.boolean().optional(),
  reaction_type: z.string().optional(),
  reaction_emoji: z.string().optional(),
  is_reaction_add: z.boolean().optional(),
  reacted_to_guid: z.string().optional(),
});
export type ImsgMessage = z.infer<typeof ImsgMessageSchema>;

/** §2.1 — a chat as `chats.list` returns it. */
export const ImsgChatSchema = z.looseObject({
  id: z.number().int(),
  identifier: z.string(),
  guid: z.string(),
  name: z.string(),
  service: z.string(),
  last_message_at: z.string(),
  participants: z.array(z.string()),
  is_group: z.boolean(),
  contact_name: z.string().optional(),
});
export type ImsgChat = z.infer<typeof ImsgChatSchema>;
