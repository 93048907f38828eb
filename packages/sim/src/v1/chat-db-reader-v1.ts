import { statSync } from 'node:fs';
import Database from 'better-sqlite3';
import type { ImsgAttachment, ImsgReaction } from '@imsg-hub/imsg-protocol';
import { loadAttachments, loadReactions } from '../message-extras.js';
import { messageSender, messageText, type ReplyContext } from '../message-payload.js';
import { historySql, messageSelectList, reactionExclusion, type HistoryQuery, type MessageRow } from '../message-row.js';
import { probeSchema, tableColumns, type ChatDbSchema } from '../schema-probe.js';
import { chatDetailPayload, chatInfoOf, chatPayloadV1, messagePayloadV1, replyParentGuidV1, type ChatRowV1 } from './payload-v1.js';

export interface ScanQuery {
  /** Exclusive ROWID cursor (negative reads from the start). */
  after: number;
  chatId?: number | undefined;
  limit: number;
  includeReactions: boolean;
}

/** Which file a reader has open: a replaced chat.db is a new generation (§2.1). */
export interface FileIdentity {
  dev: number;
  ino: number;
}

export function fileIdentity(path: string): FileIdentity | undefined {
  try {
    const s = statSync(path);
    return s.isFile() ? { dev: s.dev, ino: s.ino } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * imsg 0.15's MessageStore over one chat.db: read-only, 5 s busy timeout, optional columns probed,
 * chat metadata read fresh for every request and emission (0.9 cached it per process).
 */
export class ChatDbReaderV1 {
  readonly path: string;
  readonly identity: FileIdentity | undefined;
  readonly schema: ChatDbSchema;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #hasAttachmentTables: boolean;

  constructor(path: string) {
    this.path = path;
    this.identity = fileIdentity(path);
    this.#db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
    try {
      this.schema = probeSchema(this.#db);
      this.#hasAttachmentTables = tableColumns(this.#db, 'attachment').size > 0 && tableColumns(this.#db, 'message_attachment_join').size > 0;
    } catch (err) {
      this.#db.close();
      throw err;
    }
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** `MAX(ROWID)`, optionally of one chat and without tapback rows. */
  maxRowId(): number {
    return (this.stmt('SELECT IFNULL(MAX(ROWID), 0) AS max FROM message').get() as { max: number }).max;
  }

  /** §3.2: chats with messages, last activity first, then ROWID descending. */
  listChats(limit: number, unreadOnly: boolean): Record<string, unknown>[] {
    const last = this.schema.hasMessageDate ? 'MAX(cmj.message_date)' : 'MAX(m.date)';
    const unread = this.#unreadExpr();
    const sql = `SELECT c.ROWID AS id, ${last} AS last_date, ${unread ?? 'NULL'} AS unread FROM chat c
      JOIN chat_message_join cmj ON c.ROWID = cmj.chat_id JOIN message m ON m.ROWID = cmj.message_id
      GROUP BY c.ROWID ${unreadOnly ? 'HAVING unread > 0' : ''} ORDER BY last_date DESC, c.ROWID DESC LIMIT ?`;
    const rows = this.stmt(sql).all(limit) as { id: number; last_date: number | null; unread: number | null }[];
    return rows.flatMap((r) => {
      const chat = this.chatRow(r.id);
      return chat ? [chatPayloadV1(chat, this.participants(r.id), r.last_date, unread === undefined ? undefined : (r.unread ?? 0))] : [];
    });
  }

  /** §3.3 */
  chatDetail(id: number): Record<string, unknown> | undefined {
    const chat = this.chatRow(id);
    return chat ? chatDetailPayload(chat, this.participants(id)) : undefined;
  }

  chatRow(id: number): ChatRowV1 | undefined {
    const c = this.schema.chatAccountColumns;
    return this.stmt(
      `SELECT ROWID AS id, chat_identifier AS identifier, guid, display_name, service_name AS service,
       ${c.accountId ? 'account_id' : 'NULL'} AS account_id, ${c.accountLogin ? 'account_login' : 'NULL'} AS account_login,
       ${c.lastAddressedHandle ? 'last_addressed_handle' : 'NULL'} AS last_addressed_handle FROM chat WHERE ROWID = ?`,
    ).get(id) as ChatRowV1 | undefined;
  }

  /** The first chat whose guid, or else identifier, equals `value`. */
  findChat(by: { guid: string } | { identifier: string }): ChatRowV1 | undefined {
    const [column, value] = 'guid' in by ? ['guid', by.guid] : ['chat_identifier', by.identifier];
    const row = this.stmt(`SELECT ROWID AS id FROM chat WHERE ${column} = ? ORDER BY ROWID LIMIT 1`).get(value) as { id: number } | undefined;
    return row ? this.chatRow(row.id) : undefined;
  }

  participants(chatId: number): string[] {
    if (!this.schema.hasChatHandleJoin) return [];
    const rows = this.stmt('SELECT h.id AS id FROM chat_handle_join chj JOIN handle h ON h.ROWID = chj.handle_id WHERE chj.chat_id = ? ORDER BY h.id ASC').all(
      chatId,
    ) as { id: string | null }[];
    return [...new Set(rows.map((r) => r.id ?? '').filter((id) => id !== ''))];
  }

  /** §3.4: newest first, tapbacks excluded, reactions always computed. */
  history(q: HistoryQuery): Record<string, unknown>[] {
    const { sql, args } = historySql(this.schema, q, true);
    const rows = this.stmt(sql).all(...args) as MessageRow[];
    return this.payloads(rows, { chatId: q.chatId, attachments: q.attachments, reactions: true, events: false });
  }

  /**
   * Physical rows after a cursor in ROWID order (messages.after and the watch engine). A row joined
   * to several chats appears once, under its lowest chat id; an unjoined row has chat_id 0.
   */
  scan(q: ScanQuery): MessageRow[] {
    const exclusion = q.includeReactions ? '' : reactionExclusion(this.schema);
    const lowest = '(SELECT MIN(j.chat_id) FROM chat_message_join j WHERE j.message_id = m.ROWID) AS chat_id';
    const sql =
      q.chatId === undefined
        ? `SELECT ${messageSelectList(this.schema, false).replace('NULL AS chat_id', lowest)} FROM message m
           LEFT JOIN handle h ON m.handle_id = h.ROWID WHERE m.ROWID > ?${exclusion} ORDER BY m.ROWID ASC LIMIT ?`
        : `SELECT ${messageSelectList(this.schema, false).replace('NULL AS chat_id', 'cmj.chat_id AS chat_id')} FROM message m
           JOIN chat_message_join cmj ON cmj.message_id = m.ROWID AND cmj.chat_id = ?
           LEFT JOIN handle h ON m.handle_id = h.ROWID WHERE m.ROWID > ?${exclusion} ORDER BY m.ROWID ASC LIMIT ?`;
    const args = q.chatId === undefined ? [q.after, q.limit] : [q.chatId, q.after, q.limit];
    return (this.stmt(sql).all(...args) as MessageRow[]).map((r) => ({ ...r, chat_id: r.chat_id ?? 0 }));
  }

  /** Payloads of rows in their given order; `chatId` pins history's requested chat. */
  payloads(rows: MessageRow[], opts: { chatId?: number | undefined; attachments: boolean; reactions: boolean; events: boolean }): Record<string, unknown>[] {
    if (rows.length === 0) return [];
    const stmt = (sql: string) => this.stmt(sql);
    const attachments = opts.attachments ? loadAttachments(stmt, this.#hasAttachmentTables, rows) : new Map<number, ImsgAttachment[]>();
    const reactions = opts.reactions ? loadReactions(stmt, this.schema, rows) : new Map<string, ImsgReaction[]>();
    const chats = new Map<number, ReturnType<typeof chatInfoOf> | undefined>();
    const chatOf = (id: number) => {
      if (!chats.has(id)) {
        const row = id > 0 ? this.chatRow(id) : undefined;
        chats.set(id, row && chatInfoOf(row, this.participants(id)));
      }
      return chats.get(id);
    };
    return rows.map((row) => {
      const chatId = opts.chatId ?? row.chat_id ?? 0;
      return messagePayloadV1({
        row,
        chatId,
        chat: chatOf(chatId),
        attachments: attachments.get(row.id) ?? [],
        reactions: (row.guid !== '' && reactions.get(row.guid)) || [],
        reply: this.#reply(row),
        reactionEvent: opts.events,
      });
    });
  }

  /** §3.6: newest first over displayed text; `%`, `_` and `\` literal. */
  search(query: string, exact: boolean, limit: number): Record<string, unknown>[] {
    const needle = query.toLowerCase();
    const out: MessageRow[] = [];
    let before = Number.MAX_SAFE_INTEGER;
    const page = this.stmt(
      `SELECT ${messageSelectList(this.schema, false).replace('NULL AS chat_id', '(SELECT MIN(chat_id) FROM chat_message_join WHERE message_id = m.ROWID) AS chat_id')}
       FROM message m LEFT JOIN handle h ON m.handle_id = h.ROWID WHERE m.ROWID < ?${reactionExclusion(this.schema)} ORDER BY m.ROWID DESC LIMIT 500`,
    );
    while (out.length < limit) {
      const rows = page.all(before) as MessageRow[];
      if (rows.length === 0) break;
      for (const row of rows) {
        const text = messageText(row).toLowerCase();
        if (exact ? text === needle : text.includes(needle)) out.push({ ...row, chat_id: row.chat_id ?? 0 });
      }
      before = rows.at(-1)!.id;
    }
    const found = out.sort((a, b) => Number(b.date ?? 0) - Number(a.date ?? 0) || b.id - a.id).slice(0, limit);
    return this.payloads(found, { attachments: false, reactions: true, events: false });
  }

  /** §3.14: the newest row with this guid (case-insensitive), with the status columns. */
  sendStatusRow(guid: string): Record<string, number | string | null> | undefined {
    const col = (name: string, fallback = '0') => (tableColumns(this.#db, 'message').has(name) ? `IFNULL(${name}, ${fallback})` : fallback);
    return this.stmt(
      `SELECT guid, IFNULL(service, '') AS service, ${col('error')} AS error, ${col('date_delivered')} AS date_delivered,
       ${col('date_read')} AS date_read, ${col('is_sent')} AS is_sent, ${col('is_delivered')} AS is_delivered, ${col('is_finished')} AS is_finished,
       ${col('is_delayed')} AS is_delayed, ${col('is_prepared')} AS is_prepared, ${col('is_pending_satellite_send')} AS is_pending_satellite_send,
       ${col('was_downgraded')} AS was_downgraded FROM message WHERE guid = ? COLLATE NOCASE ORDER BY ROWID DESC LIMIT 1`,
    ).get(guid) as Record<string, number | string | null> | undefined;
  }

  /** A message row by guid (bridge target checks). */
  messageByGuid(guid: string): MessageRow | undefined {
    if (!this.schema.hasReactionColumns) return undefined;
    return this.stmt(`SELECT ${messageSelectList(this.schema, false)} FROM message m LEFT JOIN handle h ON m.handle_id = h.ROWID WHERE m.guid = ? LIMIT 1`).get(
      guid,
    ) as MessageRow | undefined;
  }

  stmt(sql: string): Database.Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Logical unread inbound messages per chat (tapbacks and preview balloons not counted). */
  #unreadExpr(): string | undefined {
    if (!this.schema.hasIsRead) return undefined;
    const reaction = this.schema.hasReactionColumns ? ' AND IFNULL(m.associated_message_type, 0) NOT BETWEEN 2000 AND 3006' : '';
    const balloon = this.schema.hasBalloonBundleId ? " AND IFNULL(m.balloon_bundle_id, '') <> 'com.apple.messages.URLBalloonProvider'" : '';
    return `SUM(CASE WHEN m.is_from_me = 0 AND IFNULL(m.is_read, 0) = 0${reaction}${balloon} THEN 1 ELSE 0 END)`;
  }

  #reply(row: MessageRow): ReplyContext | undefined {
    const parentGuid = replyParentGuidV1(row);
    if (parentGuid === undefined || !this.schema.hasReactionColumns) return undefined;
    const parent = this.messageByGuid(parentGuid);
    return parent ? { text: messageText(parent), sender: messageSender(parent) } : undefined;
  }
}
