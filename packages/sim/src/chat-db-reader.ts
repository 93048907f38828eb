import Database from 'better-sqlite3';
import type { ImsgAttachment, ImsgReaction } from '@imsg-hub/imsg-protocol';
import { loadAttachments, loadReactions } from './message-extras.js';
import { chatPayload, isGroupChat, messagePayload, messageSender, messageText, replyParentGuid, type ChatInfo, type ReplyContext } from './message-payload.js';
import { historySql, messageSelectList, reactionExclusion, type HistoryQuery, type MessageRow } from './message-row.js';

export type { HistoryQuery } from './message-row.js';
import { probeSchema, tableColumns, type ChatDbSchema } from './schema-probe.js';

export interface AfterQuery {
  cursor: number;
  chatId?: number | undefined;
  limit: number;
  includeReactions: boolean;
  attachments: boolean;
}

/** A watch page: the raw rows (for in-process filters) and their payloads, in ROWID order. */
export interface AfterPage {
  rows: MessageRow[];
  payloads: Record<string, unknown>[];
}

/**
 * imsg's MessageStore over any chat.db: opened read-only with a 5 s busy timeout, optional
 * columns probed once. Chat info is memoised per process like imsg's ChatCache.
 */
export class ChatDbReader {
  readonly path: string;
  readonly schema: ChatDbSchema;
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #chats = new Map<number, ChatInfo>();
  readonly #hasAttachmentTables: boolean;

  /** Opens `path` read-only; throws (SqliteError or SimError) when it cannot be used. */
  constructor(path: string) {
    this.path = path;
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

  maxRowId(): number {
    const row = this.#stmt('SELECT IFNULL(MAX(ROWID), 0) AS max FROM message').get() as { max: number };
    return row.max;
  }

  /** `chats.list`: chats with at least one message, most recent activity first (§2.1). */
  listChats(limit: number): Record<string, unknown>[] {
    const last = this.schema.hasMessageDate ? 'MAX(cmj.message_date)' : 'MAX(m.date)';
    const join = this.schema.hasMessageDate ? '' : ' JOIN message m ON m.ROWID = cmj.message_id';
    const rows = this.#stmt(
      `SELECT c.ROWID AS id, ${last} AS last_date FROM chat c JOIN chat_message_join cmj ON c.ROWID = cmj.chat_id${join}
       GROUP BY c.ROWID ORDER BY last_date DESC LIMIT ?`,
    ).all(limit) as { id: number; last_date: number | null }[];
    return rows.flatMap((r) => {
      const chat = this.chatInfo(r.id);
      return chat ? [chatPayload(chat, r.last_date)] : [];
    });
  }

  /** `messages.history`: newest first, tapbacks excluded and aggregated (§2.2). */
  history(q: HistoryQuery): Record<string, unknown>[] {
    const { sql, args } = historySql(this.schema, q, false);
    const rows = this.#stmt(sql).all(...args) as MessageRow[];
    return this.#payloads(rows, { chatId: q.chatId, attachments: q.attachments, reactions: true, events: false });
  }

  /** One watch poll: rows after `cursor` in ROWID order (imsg's MessagesAfterQuery, §2.3). */
  messagesAfter(q: AfterQuery): AfterPage {
    let sql = `SELECT ${messageSelectList(this.schema, true)} FROM message m
      LEFT JOIN chat_message_join cmj ON m.ROWID = cmj.message_id
      LEFT JOIN handle h ON m.handle_id = h.ROWID
      WHERE m.ROWID > ?${q.includeReactions ? '' : reactionExclusion(this.schema)}`;
    const args: unknown[] = [q.cursor];
    if (q.chatId !== undefined) {
      sql += ' AND cmj.chat_id = ?';
      args.push(q.chatId);
    }
    sql += ' ORDER BY m.ROWID ASC LIMIT ?';
    args.push(q.limit);
    const rows = this.#stmt(sql).all(...args) as MessageRow[];
    const payloads = this.#payloads(rows, {
      chatId: undefined,
      attachments: q.attachments,
      reactions: q.includeReactions,
      events: q.includeReactions,
    });
    return { rows, payloads };
  }

  /** A chat by ROWID, memoised (imsg's ChatCache: a rename shows only after a restart). */
  chatInfo(id: number): ChatInfo | undefined {
    const cached = this.#chats.get(id);
    if (cached) return cached;
    const row = this.#stmt(
      `SELECT ROWID AS id, IFNULL(chat_identifier, '') AS identifier, IFNULL(guid, '') AS guid,
       IFNULL(IFNULL(display_name, chat_identifier), '') AS name, IFNULL(service_name, '') AS service
       FROM chat WHERE ROWID = ?`,
    ).get(id) as Omit<ChatInfo, 'participants' | 'isGroup'> | undefined;
    if (!row) return undefined;
    const chat: ChatInfo = { ...row, participants: this.#participants(id), isGroup: isGroupChat(row.guid, row.identifier) };
    this.#chats.set(id, chat);
    return chat;
  }

  /** The CLI `chats --json` extras (§7): display_name and the optional account columns. */
  chatCliFields(id: number): Record<string, string | null> {
    const c = this.schema.chatAccountColumns;
    return this.#stmt(
      `SELECT IFNULL(display_name, chat_identifier) AS display_name, ${c.accountId ? 'account_id' : 'NULL'} AS account_id,
       ${c.accountLogin ? 'account_login' : 'NULL'} AS account_login,
       ${c.lastAddressedHandle ? 'last_addressed_handle' : 'NULL'} AS last_addressed_handle FROM chat WHERE ROWID = ?`,
    ).get(id) as Record<string, string | null>;
  }

  /** The first chat whose guid or identifier equals `value` (send/typing target resolution). */
  findChat(by: { guid?: string; identifier?: string }): ChatInfo | undefined {
    const column = by.guid !== undefined ? 'guid' : 'chat_identifier';
    const row = this.#stmt(`SELECT ROWID AS id FROM chat WHERE ${column} = ? ORDER BY ROWID LIMIT 1`).get(by.guid ?? by.identifier) as
      | { id: number }
      | undefined;
    return row ? this.chatInfo(row.id) : undefined;
  }

  #participants(chatId: number): string[] {
    if (!this.schema.hasChatHandleJoin) return [];
    const rows = this.#stmt(
      `SELECT h.id AS id FROM chat_handle_join chj JOIN handle h ON h.ROWID = chj.handle_id
       WHERE chj.chat_id = ? ORDER BY h.id ASC`,
    ).all(chatId) as { id: string | null }[];
    return [...new Set(rows.map((r) => r.id ?? '').filter((id) => id !== ''))];
  }

  #payloads(rows: MessageRow[], opts: { chatId: number | undefined; attachments: boolean; reactions: boolean; events: boolean }): Record<string, unknown>[] {
    if (rows.length === 0) return [];
    const stmt = (sql: string) => this.#stmt(sql);
    const attachments = opts.attachments ? loadAttachments(stmt, this.#hasAttachmentTables, rows) : new Map<number, ImsgAttachment[]>();
    const reactions = opts.reactions ? loadReactions(stmt, this.schema, rows) : new Map<string, ImsgReaction[]>();
    return rows.map((row) => {
      const chatId = opts.chatId ?? row.chat_id ?? 0;
      return messagePayload({
        row,
        chatId,
        chat: chatId > 0 ? this.chatInfo(chatId) : undefined,
        attachments: attachments.get(row.id) ?? [],
        reactions: (row.guid !== '' && reactions.get(row.guid)) || [],
        reply: this.#reply(row),
        reactionEvent: opts.events,
      });
    });
  }

  #reply(row: MessageRow): ReplyContext | undefined {
    const parentGuid = replyParentGuid(row);
    if (parentGuid === undefined || !this.schema.hasReactionColumns) return undefined;
    const parent = this.#stmt(
      `SELECT ${messageSelectList(this.schema, false)} FROM message m LEFT JOIN handle h ON m.handle_id = h.ROWID
       WHERE m.guid = ? LIMIT 1`,
    ).get(parentGuid) as MessageRow | undefined;
    return parent ? { text: messageText(parent), sender: messageSender(parent) } : undefined;
  }

  #stmt(sql: string): Database.Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }
}
