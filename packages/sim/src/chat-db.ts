import Database from 'better-sqlite3';
import { appleNanosToIso } from '@imsg-hub/imsg-protocol';
import { createChatDbFile, type CreateChatDbOptions } from './chat-db-file.js';

/** A message row as tests look at it. */
export interface StoredMessage {
  rowid: number;
  guid: string;
  text: string;
  isFromMe: boolean;
  /** `handle.id` of `handle_id` ('' for none). */
  handle: string;
  service: string;
  date: string;
  destinationCallerId: string;
  chatId: number | null;
  chatGuid: string | null;
  associatedMessageGuid: string | null;
  associatedMessageType: number;
  threadOriginatorGuid: string | null;
  attachments: { filename: string; transferName: string; totalBytes: number }[];
}

/** A chat row with its participants. */
export interface StoredChat {
  rowid: number;
  guid: string;
  identifier: string;
  displayName: string;
  service: string;
  participants: string[];
}

const MESSAGE_SQL = `SELECT m.ROWID AS rowid, m.guid AS guid, IFNULL(m.text, '') AS text, m.is_from_me AS isFromMe,
  IFNULL(h.id, '') AS handle, IFNULL(m.service, '') AS service, m.date AS date,
  IFNULL(m.destination_caller_id, '') AS destinationCallerId, cmj.chat_id AS chatId, c.guid AS chatGuid,
  m.associated_message_guid AS associatedMessageGuid, IFNULL(m.associated_message_type, 0) AS associatedMessageType,
  m.thread_originator_guid AS threadOriginatorGuid
  FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id
  LEFT JOIN chat_message_join cmj ON cmj.message_id = m.ROWID LEFT JOIN chat c ON c.ROWID = cmj.chat_id`;

/** Read helpers over one simulated chat.db (read-only connection), for tests, the demo and benches. */
export class ChatDb {
  readonly path: string;
  readonly #db: Database.Database;

  constructor(path: string) {
    this.path = path;
    this.#db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  }

  maxRowId(): number {
    return (this.#db.prepare('SELECT IFNULL(MAX(ROWID), 0) AS max FROM message').get() as { max: number }).max;
  }

  messageByGuid(guid: string): StoredMessage | undefined {
    return this.#messages(`${MESSAGE_SQL} WHERE m.guid = ? ORDER BY m.ROWID LIMIT 1`, guid)[0];
  }

  messageByRowId(rowid: number): StoredMessage | undefined {
    return this.#messages(`${MESSAGE_SQL} WHERE m.ROWID = ?`, rowid)[0];
  }

  /** Rows with is_from_me = 1, oldest first. */
  outgoingRows(): StoredMessage[] {
    return this.#messages(`${MESSAGE_SQL} WHERE m.is_from_me = 1 ORDER BY m.ROWID`);
  }

  incomingRows(): StoredMessage[] {
    return this.#messages(`${MESSAGE_SQL} WHERE m.is_from_me = 0 ORDER BY m.ROWID`);
  }

  /** Outgoing rows, optionally only those with exactly this text. */
  countOutgoing(text?: string): number {
    const row = (
      text === undefined
        ? this.#db.prepare('SELECT COUNT(*) AS n FROM message WHERE is_from_me = 1').get()
        : this.#db.prepare("SELECT COUNT(*) AS n FROM message WHERE is_from_me = 1 AND IFNULL(text, '') = ?").get(text)
    ) as { n: number };
    return row.n;
  }

  chats(): StoredChat[] {
    return this.#chats('SELECT ROWID AS rowid FROM chat ORDER BY ROWID');
  }

  chatByGuid(guid: string): StoredChat | undefined {
    return this.#chats('SELECT ROWID AS rowid FROM chat WHERE guid = ?', guid)[0];
  }

  chatByIdentifier(identifier: string): StoredChat | undefined {
    return this.#chats('SELECT ROWID AS rowid FROM chat WHERE chat_identifier = ? ORDER BY ROWID', identifier)[0];
  }

  close(): void {
    if (this.#db.open) this.#db.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.close();
  }

  #messages(sql: string, ...args: unknown[]): StoredMessage[] {
    const rows = this.#db.prepare(sql).all(...args) as (Omit<StoredMessage, 'isFromMe' | 'date' | 'attachments'> & {
      isFromMe: number;
      date: number | null;
    })[];
    const attachments = this.#db.prepare(
      `SELECT IFNULL(a.filename, '') AS filename, IFNULL(a.transfer_name, '') AS transferName,
       IFNULL(a.total_bytes, 0) AS totalBytes FROM message_attachment_join maj
       JOIN attachment a ON a.ROWID = maj.attachment_id WHERE maj.message_id = ? ORDER BY a.ROWID`,
    );
    return rows.map((r) => ({
      ...r,
      isFromMe: r.isFromMe !== 0,
      date: appleNanosToIso(r.date),
      attachments: attachments.all(r.rowid) as StoredMessage['attachments'],
    }));
  }

  #chats(sql: string, ...args: unknown[]): StoredChat[] {
    const ids = this.#db.prepare(sql).all(...args) as { rowid: number }[];
    return ids.map(({ rowid }) => {
      const chat = this.#db
        .prepare(
          `SELECT ROWID AS rowid, guid, IFNULL(chat_identifier, '') AS identifier, IFNULL(display_name, '') AS displayName,
           IFNULL(service_name, '') AS service FROM chat WHERE ROWID = ?`,
        )
        .get(rowid) as Omit<StoredChat, 'participants'>;
      const participants = (
        this.#db.prepare('SELECT h.id AS id FROM chat_handle_join j JOIN handle h ON h.ROWID = j.handle_id WHERE j.chat_id = ? ORDER BY h.id').all(rowid) as {
          id: string;
        }[]
      ).map((p) => p.id);
      return { ...chat, participants };
    });
  }
}

/** Creates an empty chat.db (Messages' schema, WAL) and opens it for reading. */
export function createChatDb(path: string, options: CreateChatDbOptions = {}): ChatDb {
  createChatDbFile(path, options);
  return new ChatDb(path);
}
