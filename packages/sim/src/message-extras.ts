import type Database from 'better-sqlite3';
import { stripPartPrefix, type ImsgAttachment, type ImsgReaction } from '@imsg-hub/imsg-protocol';
import { aggregateReactions, attachmentPayload, type AttachmentRow } from './message-payload.js';
import { messageSelectList, type MessageRow } from './message-row.js';
import type { ChatDbSchema } from './schema-probe.js';

/** Prepares (and caches) a statement: the readers' shared way to run SQL. */
export type StatementCache = (sql: string) => Database.Statement;

/** Attachment metadata of `rows`, by message ROWID, in attachment ROWID order. */
export function loadAttachments(stmt: StatementCache, hasTables: boolean, rows: readonly MessageRow[]): Map<number, ImsgAttachment[]> {
  const out = new Map<number, ImsgAttachment[]>();
  if (!hasTables || rows.length === 0) return out;
  const found = stmt(
    `SELECT maj.message_id AS message_id, a.filename AS filename, a.transfer_name AS transfer_name, a.uti AS uti,
     a.mime_type AS mime_type, a.total_bytes AS total_bytes, a.is_sticker AS is_sticker
     FROM message_attachment_join maj JOIN attachment a ON a.ROWID = maj.attachment_id
     WHERE maj.message_id IN (SELECT value FROM json_each(?)) ORDER BY maj.message_id, a.ROWID`,
  ).all(JSON.stringify(rows.map((r) => r.id))) as AttachmentRow[];
  for (const row of found) {
    const list = out.get(row.message_id) ?? [];
    list.push(attachmentPayload(row));
    out.set(row.message_id, list);
  }
  return out;
}

/** Current tapbacks per target guid for the messages in `rows` (reference/imsg-protocol.md §3.2). */
export function loadReactions(stmt: StatementCache, schema: ChatDbSchema, rows: readonly MessageRow[]): Map<string, ImsgReaction[]> {
  const out = new Map<string, ImsgReaction[]>();
  if (!schema.hasReactionColumns) return out;
  const wanted = new Set(rows.map((r) => r.guid).filter((g) => g !== ''));
  if (wanted.size === 0) return out;
  // Only tapbacks naming a wanted guid (`= guid` or `LIKE '%/' || guid`), matched in process after
  // one indexed pass: a LIKE per message would scan the table once per message.
  const tapbacks = stmt(
    `SELECT ${messageSelectList(schema, false)} FROM message m LEFT JOIN handle h ON m.handle_id = h.ROWID
     WHERE m.associated_message_type BETWEEN 2000 AND 3006 AND m.associated_message_guid IS NOT NULL
     ORDER BY m.date ASC, m.ROWID ASC`,
  ).all() as MessageRow[];
  const byTarget = new Map<string, MessageRow[]>();
  for (const t of tapbacks) {
    const target = stripPartPrefix(t.associated_message_guid ?? '');
    if (!wanted.has(target)) continue;
    const list = byTarget.get(target) ?? [];
    list.push(t);
    byTarget.set(target, list);
  }
  for (const [guid, list] of byTarget) out.set(guid, aggregateReactions(list));
  return out;
}
