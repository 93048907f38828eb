import Database from 'better-sqlite3';
import type { StoredAttachment } from './attachment-store.js';
import { decodeAttributedBody } from './attributed-body.js';
import { RowInserter, type RowValue } from './row-inserter.js';

export type ServiceName = 'iMessage' | 'SMS';

/** A chat to find or create, with the remote handles chat.db lists as its participants. */
export interface ChatSpec {
  guid: string;
  identifier: string;
  service: ServiceName;
  isGroup: boolean;
  /** Group name; direct chats get '' as Messages writes. */
  displayName?: string | undefined;
  participants: readonly string[];
  /** This account's handle in the chat (`last_addressed_handle`). */
  accountHandle: string;
}

/** One message row as Messages writes it. */
export interface MessageSpec {
  guid: string;
  chatRowId: number | undefined;
  /** `handle_id`: the remote party (sender of incoming rows, recipient of direct outgoing rows), 0 for none. */
  handleRowId: number;
  text: string;
  dateNanos: bigint;
  isFromMe: boolean;
  service: ServiceName;
  destinationCallerId: string;
  associatedMessageGuid?: string | undefined;
  associatedMessageType?: number | undefined;
  associatedMessageEmoji?: string | undefined;
  threadOriginatorGuid?: string | undefined;
  attachment?: StoredAttachment | undefined;
  /** 0.15-era columns; absent ones are left to their defaults. */
  threadOriginatorPart?: string | undefined;
  replyToGuid?: string | undefined;
  subject?: string | undefined;
  expressiveSendStyleId?: string | undefined;
  balloonBundleId?: string | undefined;
  partCount?: number | undefined;
  associatedRange?: readonly [number, number] | undefined;
  messageSummaryInfo?: Buffer | undefined;
  attributedBody?: Buffer | undefined;
  /** Group events: item_type 1 (members), 2 (name), 3 (left / photo) with their detail. */
  itemType?: number | undefined;
  groupActionType?: number | undefined;
  groupTitle?: string | undefined;
  otherHandle?: number | undefined;
  /** An outgoing row's delivery state at insert: `done` (sent and delivered, 0.9's AppleScript) or `pending`. */
  outgoingState?: 'done' | 'pending' | undefined;
}

/** A chat row as the writer reads it back. */
export interface ChatRecord {
  rowid: number;
  guid: string;
  identifier: string;
  service: string;
  displayName: string;
  lastAddressedHandle: string;
  participants: string[];
}

/** Style codes Messages uses for group (43) and one-to-one (45) chats. */
const GROUP_STYLE = 43;
const DIRECT_STYLE = 45;

/**
 * Plays Messages.app: writes rows into a chat.db over its own writable connection (WAL, 5 s busy
 * timeout), so a reader watching the same file sees them as it would on a Mac.
 */
export class ChatDbWriter {
  readonly path: string;
  readonly #db: Database.Database;
  readonly #rows: RowInserter;
  readonly #statements = new Map<string, Database.Statement>();

  constructor(path: string) {
    this.path = path;
    this.#db = new Database(path, { fileMustExist: true, timeout: 5000 });
    this.#rows = new RowInserter(this.#db);
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  /** Runs `fn` in one immediate transaction (nested calls join the outer one). */
  transaction<T>(fn: () => T): T {
    return this.#db.transaction(fn).immediate();
  }

  /** A prepared statement, prepared once per connection. */
  #stmt(sql: string): Database.Statement {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Raw access for read helpers and tests. */
  get db(): Database.Database {
    return this.#db;
  }

  ensureHandle(id: string, service: ServiceName): number {
    const hasService = this.#rows.has('handle', 'service');
    const found = (
      hasService
        ? this.#stmt('SELECT ROWID AS id FROM handle WHERE id = ? AND service = ?').get(id, service)
        : this.#stmt('SELECT ROWID AS id FROM handle WHERE id = ?').get(id)
    ) as { id: number } | undefined;
    if (found) return found.id;
    return this.#rows.insert('handle', { id, service, uncanonicalized_id: id, country: 'us', person_centric_id: null });
  }

  chatRowId(guid: string): number | undefined {
    const row = this.#stmt('SELECT ROWID AS id FROM chat WHERE guid = ?').get(guid) as { id: number } | undefined;
    return row?.id;
  }

  /** Finds the chat by guid or creates it; adds any participant it lacks. Returns its ROWID. */
  ensureChat(spec: ChatSpec): number {
    let chatId = this.chatRowId(spec.guid);
    if (chatId === undefined) {
      chatId = this.#rows.insert('chat', {
        guid: spec.guid,
        style: spec.isGroup ? GROUP_STYLE : DIRECT_STYLE,
        state: 3,
        chat_identifier: spec.identifier,
        service_name: spec.service,
        room_name: spec.isGroup ? spec.identifier : null,
        account_login: spec.accountHandle === '' ? null : `E:${spec.accountHandle}`,
        last_addressed_handle: spec.accountHandle,
        display_name: spec.displayName ?? '',
        group_id: spec.isGroup ? spec.identifier : null,
      });
    }
    for (const participant of spec.participants) {
      const handleId = this.ensureHandle(participant, spec.service);
      const joined = this.#stmt('SELECT 1 AS x FROM chat_handle_join WHERE chat_id = ? AND handle_id = ?').get(chatId, handleId);
      if (!joined) this.#rows.insert('chat_handle_join', { chat_id: chatId, handle_id: handleId });
    }
    return chatId;
  }

  /** Inserts the message (and its attachment) and joins it to its chat. Returns the ROWID. */
  insertMessage(m: MessageSpec): number {
    const pending = m.isFromMe && m.outgoingState === 'pending';
    const rowid = this.#rows.insert('message', {
      guid: m.guid,
      text: m.text,
      handle_id: m.handleRowId,
      service: m.service,
      account: m.destinationCallerId === '' ? null : `e:${m.destinationCallerId}`,
      date: m.dateNanos,
      date_read: 0n,
      date_delivered: m.isFromMe ? 0n : m.dateNanos,
      is_delivered: pending ? 0 : 1,
      is_finished: pending ? 0 : 1,
      is_from_me: m.isFromMe ? 1 : 0,
      is_sent: m.isFromMe && !pending ? 1 : 0,
      is_read: m.isFromMe ? 1 : 0,
      thread_originator_part: m.threadOriginatorPart,
      reply_to_guid: m.replyToGuid,
      subject: m.subject,
      expressive_send_style_id: m.expressiveSendStyleId,
      balloon_bundle_id: m.balloonBundleId,
      part_count: m.partCount,
      associated_message_range_location: m.associatedRange?.[0],
      associated_message_range_length: m.associatedRange?.[1],
      message_summary_info: m.messageSummaryInfo,
      attributedBody: m.attributedBody,
      item_type: m.itemType,
      group_action_type: m.groupActionType,
      group_title: m.groupTitle,
      other_handle: m.otherHandle,
      cache_has_attachments: m.attachment ? 1 : 0,
      destination_caller_id: m.destinationCallerId,
      associated_message_guid: m.associatedMessageGuid ?? null,
      associated_message_type: m.associatedMessageType ?? 0,
      associated_message_emoji: m.associatedMessageEmoji ?? null,
      thread_originator_guid: m.threadOriginatorGuid ?? null,
    });
    if (m.chatRowId !== undefined) {
      this.#rows.insert('chat_message_join', { chat_id: m.chatRowId, message_id: rowid, message_date: m.dateNanos });
    }
    if (m.attachment) {
      const a = m.attachment;
      const attachmentId = this.#rows.insert('attachment', {
        guid: a.guid,
        original_guid: a.guid,
        created_date: m.dateNanos / 1_000_000_000n,
        filename: a.path,
        uti: a.uti,
        mime_type: a.mimeType,
        transfer_state: 5,
        is_outgoing: m.isFromMe ? 1 : 0,
        transfer_name: a.transferName,
        total_bytes: a.totalBytes,
        is_sticker: 0,
      });
      this.#rows.insert('message_attachment_join', { message_id: rowid, attachment_id: attachmentId });
    }
    return rowid;
  }

  /** A chat's row and its current participants, read fresh (send needs today's members). */
  chatRecord(by: { rowid: number } | { guid: string } | { identifier: string }): ChatRecord | undefined {
    const [column, value] = 'rowid' in by ? ['ROWID', by.rowid] : 'guid' in by ? ['guid', by.guid] : ['chat_identifier', by.identifier];
    const lastAddressed = this.#rows.has('chat', 'last_addressed_handle') ? 'last_addressed_handle' : 'NULL';
    const row = this.#stmt(
      `SELECT ROWID AS rowid, IFNULL(guid, '') AS guid, IFNULL(chat_identifier, '') AS identifier,
         IFNULL(service_name, '') AS service, IFNULL(display_name, '') AS displayName,
         IFNULL(${lastAddressed}, '') AS lastAddressedHandle FROM chat WHERE ${column} = ? ORDER BY ROWID LIMIT 1`,
    ).get(value) as Omit<ChatRecord, 'participants'> | undefined;
    if (!row) return undefined;
    const participants = (
      this.#stmt(
        `SELECT h.id AS id FROM chat_handle_join chj JOIN handle h ON h.ROWID = chj.handle_id
           WHERE chj.chat_id = ? ORDER BY h.id`,
      ).all(row.rowid) as { id: string }[]
    ).map((r) => r.id);
    return { ...row, participants: [...new Set(participants)] };
  }

  /** Adds or removes a member of a chat (`chat_handle_join`), as a group change does. */
  setParticipant(chatRowId: number, handle: string, service: ServiceName, member: boolean): void {
    const handleId = this.ensureHandle(handle, service);
    if (!member) {
      this.#stmt('DELETE FROM chat_handle_join WHERE chat_id = ? AND handle_id = ?').run(chatRowId, handleId);
      return;
    }
    const joined = this.#stmt('SELECT 1 AS x FROM chat_handle_join WHERE chat_id = ? AND handle_id = ?').get(chatRowId, handleId);
    if (!joined) this.#rows.insert('chat_handle_join', { chat_id: chatRowId, handle_id: handleId });
  }

  /** Sets columns of a chat row (a rename). */
  updateChat(chatRowId: number, fields: Record<string, RowValue>): void {
    const keys = Object.keys(fields).filter((k) => this.#rows.has('chat', k));
    if (keys.length === 0) return;
    this.#stmt(`UPDATE chat SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE ROWID = @rowid`).run({ ...fields, rowid: chatRowId });
  }

  /** Sets columns of every row with this guid (an edit, unsend or receipt); returns how many changed. */
  updateMessage(guid: string, fields: Record<string, RowValue>, where = ''): number {
    const keys = Object.keys(fields).filter((k) => this.#rows.has('message', k));
    if (keys.length === 0) return 0;
    const sql = `UPDATE message SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE guid = @guid${where}`;
    return this.#stmt(sql).run({ ...fields, guid }).changes;
  }

  /** The newest message guid joined to a chat (Messages' `reply_to_guid` for the next ordinary row). */
  lastMessageGuid(chatRowId: number): string | undefined {
    const row = this.#stmt(
      `SELECT m.guid AS guid FROM chat_message_join cmj JOIN message m ON m.ROWID = cmj.message_id
       WHERE cmj.chat_id = ? AND IFNULL(m.associated_message_type, 0) = 0 ORDER BY cmj.message_id DESC LIMIT 1`,
    ).get(chatRowId) as { guid: string } | undefined;
    return row?.guid;
  }

  /** Text of the message with this guid, for tapback texts such as `Liked “hello”`. */
  messageText(guid: string): string | undefined {
    if (!this.#rows.has('message', 'guid')) return undefined;
    const body = this.#rows.has('message', 'attributedBody') ? 'attributedBody' : 'NULL';
    const row = this.#stmt(`SELECT IFNULL(text, '') AS text, ${body} AS body FROM message WHERE guid = ?`).get(guid) as
      | { text: string; body: Buffer | null }
      | undefined;
    if (!row) return undefined;
    return row.text !== '' ? row.text : decodeAttributedBody(row.body);
  }
}
