import { statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  aggregateTapbacks,
  appleNanosToIso,
  decodeReaction,
  isReactionType,
  stripPartPrefix,
  type ImsgAttachment,
  type ImsgReaction,
  type TapbackEvent,
} from '@imsg-hub/imsg-protocol';
import { decodeAttributedBody } from './attributed-body.js';
import type { MessageRow } from './message-row.js';

/** A chat as imsg's ChatCache holds it. */
export interface ChatInfo {
  id: number;
  identifier: string;
  guid: string;
  name: string;
  service: string;
  participants: string[];
  isGroup: boolean;
}

/** One attachment row joined to its message. */
export interface AttachmentRow {
  message_id: number;
  filename: string | null;
  transfer_name: string | null;
  uti: string | null;
  mime_type: string | null;
  total_bytes: number | null;
  is_sticker: number | null;
}

/** The text and sender of a reply's parent row. */
export interface ReplyContext {
  text: string;
  sender: string;
}

/** imsg's group rule: the guid or identifier contains `;+;`. */
export function isGroupChat(guid: string, identifier: string): boolean {
  return guid.includes(';+;') || identifier.includes(';+;');
}

/** §2.1 RPCChat. */
export function chatPayload(chat: ChatInfo, lastDate: number | bigint | null): Record<string, unknown> {
  return {
    id: chat.id,
    identifier: chat.identifier,
    guid: chat.guid,
    name: chat.name,
    service: chat.service,
    last_message_at: appleNanosToIso(lastDate),
    participants: chat.participants,
    is_group: chat.isGroup,
  };
}

/** `text`, or the decoded attributedBody when `text` is empty (§3.1, §8.3). */
export function messageText(row: Pick<MessageRow, 'text' | 'attributed_body'>): string {
  return row.text !== '' ? row.text : decodeAttributedBody(row.attributed_body);
}

/** `handle.id`, falling back to `destination_caller_id` (§3.1). */
export function messageSender(row: Pick<MessageRow, 'sender_handle' | 'destination_caller_id'>): string {
  return row.sender_handle !== '' ? row.sender_handle : (row.destination_caller_id ?? '');
}

/** Expands a leading `~` as imsg does before checking the file. */
export function expandHome(path: string): string {
  if (path === '~') return homedir();
  return path.startsWith('~/') ? join(homedir(), path.slice(2)) : path;
}

/** §3.3: metadata plus `missing`, computed from the file on disk. */
export function attachmentPayload(row: AttachmentRow): ImsgAttachment {
  const filename = row.filename ?? '';
  const originalPath = filename === '' ? '' : expandHome(filename);
  return {
    filename,
    transfer_name: row.transfer_name ?? '',
    uti: row.uti ?? '',
    mime_type: row.mime_type ?? '',
    total_bytes: row.total_bytes ?? 0,
    is_sticker: (row.is_sticker ?? 0) !== 0,
    original_path: originalPath,
    missing: originalPath === '' || !isFile(originalPath),
  };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

const REACTED_TO = /^Reacted (.+?) to /u;
const FIRST_EMOJI = /\p{Extended_Pictographic}(?:\uFE0F|\u200D\p{Extended_Pictographic})*/u;

/** The emoji of a custom (2006/3006) tapback: its column, `Reacted X to …`, or the first emoji. */
export function customEmoji(row: Pick<MessageRow, 'associated_message_emoji' | 'text'>): string | undefined {
  if (row.associated_message_emoji) return row.associated_message_emoji;
  return REACTED_TO.exec(row.text)?.[1] ?? FIRST_EMOJI.exec(row.text)?.[0];
}

/** Applies tapback rows in date order, as imsg's aggregation does (§3.2, `aggregateTapbacks`). */
export function aggregateReactions(rows: readonly MessageRow[]): ImsgReaction[] {
  const events: TapbackEvent[] = [];
  for (const row of rows) {
    const decoded = decodeReaction(row.associated_message_type ?? 0);
    if (!decoded) continue;
    events.push({
      type: decoded.type,
      add: decoded.add,
      emoji: decoded.type === 'custom' ? customEmoji(row) : decoded.emoji,
      id: row.id,
      sender: messageSender(row),
      is_from_me: row.is_from_me !== 0,
      created_at: appleNanosToIso(row.date),
    });
  }
  return aggregateTapbacks(events);
}

export interface MessagePayloadParts {
  row: MessageRow;
  chatId: number;
  chat: ChatInfo | undefined;
  attachments: ImsgAttachment[];
  reactions: ImsgReaction[];
  reply: ReplyContext | undefined;
  /** Add the tapback-event fields (watch with include_reactions). */
  reactionEvent: boolean;
}

/** §3.1: one message payload; optional keys are omitted, never null. */
export function messagePayload(parts: MessagePayloadParts): Record<string, unknown> {
  const { row, chat } = parts;
  const code = row.associated_message_type ?? 0;
  const isReaction = isReactionType(code);
  const out: Record<string, unknown> = {
    id: row.id,
    chat_id: parts.chatId,
    guid: row.guid,
    sender: messageSender(row),
    is_from_me: row.is_from_me !== 0,
    text: messageText(row),
    created_at: appleNanosToIso(row.date),
  };
  if (row.destination_caller_id) out['destination_caller_id'] = row.destination_caller_id;
  if (code !== 0 && !isReaction && row.associated_message_guid) {
    out['reply_to_guid'] = stripPartPrefix(row.associated_message_guid);
  }
  if (!isReaction && row.thread_originator_guid) out['thread_originator_guid'] = row.thread_originator_guid;
  if (parts.reply) {
    out['reply_to_text'] = parts.reply.text;
    out['reply_to_sender'] = parts.reply.sender;
  }
  if (parts.reactionEvent && isReaction) {
    const decoded = decodeReaction(code)!;
    const emoji = decoded.type === 'custom' ? customEmoji(row) : decoded.emoji;
    out['is_reaction'] = true;
    if (emoji !== undefined) {
      out['reaction_type'] = decoded.type;
      out['reaction_emoji'] = emoji;
    }
    out['is_reaction_add'] = decoded.add;
    out['reacted_to_guid'] = stripPartPrefix(row.associated_message_guid ?? '');
  }
  out['attachments'] = parts.attachments;
  out['reactions'] = parts.reactions;
  out['chat_identifier'] = chat?.identifier ?? '';
  out['chat_guid'] = chat?.guid ?? '';
  out['chat_name'] = chat?.name ?? '';
  out['participants'] = chat?.participants ?? [];
  out['is_group'] = chat?.isGroup ?? false;
  return out;
}

/** The guid a reply points at: thread originator first, else a non-reaction association (§3.1). */
export function replyParentGuid(row: MessageRow): string | undefined {
  if (isReactionType(row.associated_message_type)) return undefined;
  if (row.thread_originator_guid) return row.thread_originator_guid;
  if ((row.associated_message_type ?? 0) !== 0 && row.associated_message_guid) {
    return stripPartPrefix(row.associated_message_guid);
  }
  return undefined;
}
