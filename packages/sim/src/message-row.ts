import { appleNanosFromMs } from './apple-date.js';
import type { ChatDbSchema } from './schema-probe.js';

/** One `message` row joined to its handle (and chat, for watch), with optional columns as NULL. */
export interface MessageRow {
  id: number;
  chat_id: number | null;
  guid: string;
  sender_handle: string;
  text: string;
  date: number | bigint | null;
  is_from_me: number;
  attributed_body: Buffer | null;
  associated_message_guid: string | null;
  associated_message_type: number | null;
  associated_message_emoji: string | null;
  thread_originator_guid: string | null;
  destination_caller_id: string | null;
  is_audio_message: number;
  balloon_bundle_id: string | null;
  reply_to_guid: string | null;
  thread_originator_part: string | null;
  is_read: number | null;
  date_read: number | bigint | null;
}

/**
 * The SELECT list every message query shares (imsg's MessageRowSelection): optional columns the
 * schema lacks become NULL, so one row type serves every chat.db.
 */
export function messageSelectList(schema: ChatDbSchema, includeChatId: boolean): string {
  const opt = (present: boolean, expr: string, as: string) => `${present ? expr : 'NULL'} AS ${as}`;
  const reactions = schema.hasReactionColumns;
  return [
    'm.ROWID AS id',
    includeChatId ? 'cmj.chat_id AS chat_id' : 'NULL AS chat_id',
    reactions ? "IFNULL(m.guid, '') AS guid" : "'' AS guid",
    "IFNULL(h.id, '') AS sender_handle",
    "IFNULL(m.text, '') AS text",
    'm.date AS date',
    'IFNULL(m.is_from_me, 0) AS is_from_me',
    opt(schema.hasAttributedBody, 'm.attributedBody', 'attributed_body'),
    opt(reactions, 'm.associated_message_guid', 'associated_message_guid'),
    opt(reactions, 'm.associated_message_type', 'associated_message_type'),
    opt(schema.hasAssociatedMessageEmoji, 'm.associated_message_emoji', 'associated_message_emoji'),
    opt(schema.hasThreadOriginatorGuid, 'm.thread_originator_guid', 'thread_originator_guid'),
    opt(schema.hasDestinationCallerId, 'm.destination_caller_id', 'destination_caller_id'),
    schema.hasAudioMessage ? 'IFNULL(m.is_audio_message, 0) AS is_audio_message' : '0 AS is_audio_message',
    opt(schema.hasBalloonBundleId, 'm.balloon_bundle_id', 'balloon_bundle_id'),
    opt(schema.hasReplyToGuid, 'm.reply_to_guid', 'reply_to_guid'),
    opt(schema.hasThreadOriginatorPart, 'm.thread_originator_part', 'thread_originator_part'),
    opt(schema.hasIsRead, 'm.is_read', 'is_read'),
    opt(schema.hasDateRead, 'm.date_read', 'date_read'),
  ].join(', ');
}

/** SQL fragment excluding tapback rows (2000–3006), empty when the schema has no reaction columns. */
export function reactionExclusion(schema: ChatDbSchema): string {
  return schema.hasReactionColumns ? ' AND (m.associated_message_type IS NULL OR m.associated_message_type < 2000 OR m.associated_message_type > 3006)' : '';
}

/** A `messages.history` request, as both protocol versions read it. */
export interface HistoryQuery {
  chatId: number;
  limit: number;
  participants: readonly string[];
  startMs?: number | undefined;
  endMs?: number | undefined;
  attachments: boolean;
}

/**
 * imsg's history query (0.9 §2.2, 0.15 §3.4): one chat's messages newest first, tapbacks excluded,
 * within [startMs, endMs) and from `participants` when given. 0.15 breaks ties of `date` by ROWID
 * (`tieBreak`); 0.9 does not.
 */
export function historySql(schema: ChatDbSchema, q: HistoryQuery, tieBreak: boolean): { sql: string; args: unknown[] } {
  let sql = `SELECT ${messageSelectList(schema, false)} FROM message m
    JOIN chat_message_join cmj ON m.ROWID = cmj.message_id
    LEFT JOIN handle h ON m.handle_id = h.ROWID
    WHERE cmj.chat_id = ?${reactionExclusion(schema)}`;
  const args: unknown[] = [q.chatId];
  if (q.startMs !== undefined) {
    sql += ' AND m.date >= ?';
    args.push(appleNanosFromMs(q.startMs));
  }
  if (q.endMs !== undefined) {
    sql += ' AND m.date < ?';
    args.push(appleNanosFromMs(q.endMs));
  }
  if (q.participants.length > 0) {
    const dest = schema.hasDestinationCallerId ? 'm.destination_caller_id' : 'NULL';
    sql += ` AND COALESCE(NULLIF(h.id, ''), ${dest}) COLLATE NOCASE IN (${q.participants.map(() => '?').join(',')})`;
    args.push(...q.participants);
  }
  sql += tieBreak ? ' ORDER BY m.date DESC, m.ROWID DESC LIMIT ?' : ' ORDER BY m.date DESC LIMIT ?';
  args.push(q.limit);
  return { sql, args };
}
