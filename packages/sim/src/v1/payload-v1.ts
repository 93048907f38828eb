import { appleNanosToIso, isReactionType, stripPartPrefix } from '@imsg-hub/imsg-protocol';
import { isGroupChat, messagePayload, type ChatInfo, type MessagePayloadParts } from '../message-payload.js';
import type { MessageRow } from '../message-row.js';

// Payload shapes of imsg 0.15 (reference/imsg-protocol-v1.md §4): the 0.9 message plus the keys
// 0.11–0.15 added; chats with routing and unread fields; `guid` omitted when empty.

/** A chat row with the columns 0.15's ChatPayload reads. */
export interface ChatRowV1 {
  id: number;
  identifier: string | null;
  guid: string | null;
  display_name: string | null;
  service: string | null;
  account_id: string | null;
  account_login: string | null;
  last_addressed_handle: string | null;
}

/** §4.1: one `chats.list` entry. */
export function chatPayloadV1(
  row: ChatRowV1,
  participants: string[],
  lastDate: number | bigint | null,
  unreadCount: number | undefined,
): Record<string, unknown> {
  const identifier = row.identifier ?? '';
  const guid = row.guid ?? '';
  const out: Record<string, unknown> = {
    id: row.id,
    name: row.display_name ? row.display_name : identifier,
    identifier,
    service: row.service ?? '',
    last_message_at: appleNanosToIso(lastDate),
  };
  if (guid !== '') out['guid'] = guid;
  const displayName = row.display_name ?? row.identifier;
  if (displayName !== null) out['display_name'] = displayName;
  out['is_group'] = isGroupChat(guid, identifier);
  out['participants'] = participants;
  for (const key of ['account_id', 'account_login', 'last_addressed_handle'] as const) {
    if (row[key]) out[key] = row[key];
  }
  if (unreadCount !== undefined) out['unread_count'] = unreadCount;
  return out;
}

/** §4.2: `chats.get`, guid always present. */
export function chatDetailPayload(row: ChatRowV1, participants: string[]): Record<string, unknown> {
  const identifier = row.identifier ?? '';
  const guid = row.guid ?? '';
  const out: Record<string, unknown> = {
    id: row.id,
    identifier,
    guid,
    name: row.display_name ?? identifier,
    service: row.service ?? '',
    is_group: isGroupChat(guid, identifier),
    participants,
  };
  for (const key of ['account_id', 'account_login', 'last_addressed_handle'] as const) {
    if (row[key]) out[key] = row[key];
  }
  return out;
}

/** `ChatInfo` (message chat fields) from a chat row: chat_name is IFNULL(display_name, identifier). */
export function chatInfoOf(row: ChatRowV1, participants: string[]): ChatInfo {
  const identifier = row.identifier ?? '';
  const guid = row.guid ?? '';
  return {
    id: row.id,
    identifier,
    guid,
    name: row.display_name ?? identifier,
    service: row.service ?? '',
    participants,
    isGroup: isGroupChat(guid, identifier),
  };
}

/** The guid a message replies to in 0.15: the `reply_to_guid` column first, then a non-tapback association. */
export function replyToGuidV1(row: MessageRow): string | undefined {
  if (isReactionType(row.associated_message_type)) return undefined;
  if (row.reply_to_guid) return stripPartPrefix(row.reply_to_guid);
  if ((row.associated_message_type ?? 0) !== 0 && row.associated_message_guid) return stripPartPrefix(row.associated_message_guid);
  return undefined;
}

/** Where reply_to_text/_sender come from: thread originator first, then reply_to_guid (§5.4). */
export function replyParentGuidV1(row: MessageRow): string | undefined {
  if (isReactionType(row.associated_message_type)) return undefined;
  return row.thread_originator_guid || replyToGuidV1(row);
}

/** §4.3: the 0.9 payload plus 0.15's keys, optional keys omitted, never null. */
export function messagePayloadV1(parts: MessagePayloadParts): Record<string, unknown> {
  const { row } = parts;
  const out = messagePayload(parts);
  const isReaction = isReactionType(row.associated_message_type);
  const replyTo = replyToGuidV1(row);
  if (replyTo !== undefined) out['reply_to_guid'] = replyTo;
  else delete out['reply_to_guid'];
  if (!isReaction && row.thread_originator_part) out['thread_originator_part'] = row.thread_originator_part;
  if (row.balloon_bundle_id) out['balloon_bundle_id'] = row.balloon_bundle_id;
  if (row.is_from_me === 0 && row.is_read !== null) {
    out['is_read'] = row.is_read !== 0;
    if (row.is_read !== 0 && row.date_read !== null && Number(row.date_read) > 0) out['date_read'] = appleNanosToIso(row.date_read);
  }
  return out;
}
