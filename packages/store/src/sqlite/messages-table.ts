import type Database from 'better-sqlite3';
import type { HubAttachment, HubMessage, Row } from '@imsg-hub/hub-protocol';
import type { ImsgMessage } from '@imsg-hub/imsg-protocol';
import type { MessageFilter, StoredRow } from '../store.js';
import type { ChatsTable } from './chats-table.js';
import type { HandlesTable } from './handles-table.js';

interface MessageRow {
  seq: number;
  account: string;
  epoch: number;
  native_id: number;
  chat_id: number;
  guid: string;
  dup_of: number | null;
  is_from_me: number;
  is_reaction: number;
  replay: number;
  send_key: string | null;
  body: string;
  received_at: string;
}

/** The imsg message with each attachment annotated with where its bytes are. */
function bodyOf(row: Row): ImsgMessage {
  if (!row.blobs?.length) return row.message;
  const attachments: HubAttachment[] = row.message.attachments.map((a) => ({ ...a }));
  for (const b of row.blobs) {
    const target = attachments[b.index];
    if (!target) continue;
    target.blob_state = b.state;
    if (b.sha256) target.blob = b.sha256;
  }
  return { ...row.message, attachments };
}

/** The other party of a DM, or the sender of a group message: who this account exchanged with. */
function affinityHandle(m: ImsgMessage): string | undefined {
  const h = m.is_group ? (m.is_from_me ? '' : m.sender) : m.chat_identifier || m.sender;
  if (!h) return undefined;
  return h.includes('@') ? h.toLowerCase() : h;
}

/** messages: every stored copy, its hub sequence, and the reads clients make. */
export class MessagesTable {
  readonly #db: Database.Database;
  readonly #chats: ChatsTable;
  readonly #handles: HandlesTable;
  readonly #insert: Database.Statement;
  readonly #firstCopy: Database.Statement;
  readonly #copies: Database.Statement;
  readonly #affinity: Database.Statement;
  readonly #bySeq: Database.Statement;
  readonly #queries = new Map<string, Database.Statement>();

  constructor(db: Database.Database, chats: ChatsTable, handles: HandlesTable) {
    this.#db = db;
    this.#chats = chats;
    this.#handles = handles;
    this.#insert = db.prepare(
      `INSERT OR IGNORE INTO messages (account, epoch, native_id, chat_id, guid, dup_of, is_from_me, is_reaction, replay, send_key, body, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#firstCopy = db.prepare("SELECT seq, chat_id FROM messages WHERE guid = ? AND guid <> '' AND account <> ? ORDER BY seq LIMIT 1");
    this.#copies = db.prepare("SELECT account FROM messages WHERE guid = ? AND guid <> '' ORDER BY seq");
    this.#affinity = db.prepare(
      'INSERT INTO affinity (handle, account, seq) VALUES (?, ?, ?) ON CONFLICT (handle) DO UPDATE SET account = excluded.account, seq = excluded.seq',
    );
    this.#bySeq = db.prepare('SELECT * FROM messages WHERE seq = ?');
  }

  readonly #pendingAffinity = new Map<string, { account: string; seq: number }>();

  /** Stores one row (inside the ingest transaction); undefined when it was already stored (same guid). */
  insert(account: string, epoch: number, row: Row, sendKey: string | undefined, now: string): StoredRow | undefined {
    const m = bodyOf(row);
    const nextSeq = this.maxSeq() + 1;
    const chatId = this.#chats.upsert(account, m, nextSeq);
    const first = m.guid ? (this.#firstCopy.get(m.guid, account) as { seq: number; chat_id: number } | undefined) : undefined;
    const result = this.#insert.run(
      account,
      epoch,
      row.rowid,
      chatId,
      m.guid,
      first?.seq ?? null,
      m.is_from_me ? 1 : 0,
      m.is_reaction ? 1 : 0,
      row.replay ? 1 : 0,
      sendKey ?? null,
      JSON.stringify(m),
      now,
    );
    if (result.changes === 0) return undefined;
    const seq = Number(result.lastInsertRowid);
    this.#maxSeq = seq;
    // Only groups become one conversation: a DM between two of our own accounts stays two chats (each
    // account's chat names the other), so a reply by chat id leaves from the right identity.
    if (first && chatId && first.chat_id && m.is_group && this.#chats.isGroup(first.chat_id)) this.#chats.link(chatId, first.chat_id);
    const handle = affinityHandle(m);
    if (handle) this.#pendingAffinity.set(handle, { account, seq });
    if (m.destination_caller_id) this.#handles.learn(m.destination_caller_id, account);
    return {
      seq,
      account,
      chatId,
      guid: m.guid,
      dupOf: first?.seq,
      isFromMe: m.is_from_me,
      isReaction: m.is_reaction === true,
      nativeId: row.rowid,
      replay: row.replay === true,
      sendKey,
      body: m,
    };
  }

  /** Writes what inserts only noted (affinity), once per transaction instead of once per row. */
  flush(): void {
    for (const [handle, a] of this.#pendingAffinity) this.#affinity.run(handle, a.account, a.seq);
    this.#pendingAffinity.clear();
  }

  /** In-memory view of just-committed rows for a watch; undefined when the database must decide. */
  deliverable(rows: readonly StoredRow[], f: MessageFilter): HubMessage[] | undefined {
    const members = f.chatId !== undefined ? new Set(f.merged ? this.#chats.conversationMembers(f.chatId, f.accounts) : [f.chatId]) : undefined;
    const out: HubMessage[] = [];
    for (const r of rows) {
      if (f.accounts && !f.accounts.includes(r.account)) continue;
      if (members && !members.has(r.chatId)) continue;
      if (!f.includeReactions && r.isReaction) continue;
      if (r.dupOf !== undefined) {
        if (f.merged && !f.accounts && !f.watcherDedupes) continue; // an earlier copy was already delivered
        return undefined; // which copies are in view, and their accounts: ask the database
      }
      out.push(
        this.#present(
          r.body,
          { seq: r.seq, account: r.account, chatId: r.chatId, nativeId: r.nativeId, replay: r.replay, sendKey: r.sendKey },
          [r.account],
          f.merged,
          f.accounts,
        ),
      );
    }
    return out;
  }

  #maxSeq: number | undefined;
  maxSeq(): number {
    if (this.#maxSeq === undefined) {
      this.#maxSeq = (this.#db.prepare('SELECT COALESCE(MAX(seq), 0) AS m FROM messages').get() as { m: number }).m;
    }
    return this.#maxSeq;
  }

  /** Forgets the cached max after a rolled-back transaction. */
  resetCache(): void {
    this.#maxSeq = undefined;
    this.#pendingAffinity.clear();
  }

  setSendKey(seq: number, key: string): void {
    this.#db.prepare('UPDATE messages SET send_key = ? WHERE seq = ?').run(key, seq);
  }

  seqByGuid(account: string, guid: string): number | undefined {
    const r = this.#db.prepare("SELECT seq FROM messages WHERE account = ? AND guid = ? AND guid <> ''").get(account, guid) as { seq: number } | undefined;
    return r?.seq;
  }

  affinity(handle: string): string | undefined {
    const h = handle.includes('@') ? handle.toLowerCase() : handle;
    return (this.#db.prepare('SELECT account FROM affinity WHERE handle = ?').get(h) as { account: string } | undefined)?.account;
  }

  get(seq: number): HubMessage | undefined {
    const row = this.#bySeq.get(seq) as MessageRow | undefined;
    return row && this.#toHub(row, false, undefined);
  }

  /** Messages with seq > after, ascending, as a watch delivers them. */
  after(after: number, f: MessageFilter, limit: number): HubMessage[] {
    const { sql, params } = this.#filterSql(f);
    const stmt = this.#prepared(`SELECT m.* FROM messages m WHERE m.seq > @after ${sql} ORDER BY m.seq LIMIT @limit`);
    const rows = stmt.all({ ...params, after, limit }) as MessageRow[];
    return rows.map((r) => this.#toHub(r, f.merged, f.accounts));
  }

  /** A chat's messages (its whole conversation when linked), newest first, reactions excluded. */
  history(chatId: number, o: { limit: number; before?: number; after?: number; accounts?: readonly string[] }): HubMessage[] {
    const { sql, params } = this.#filterSql({ chatId, merged: true, includeReactions: false, ...(o.accounts ? { accounts: o.accounts } : {}) });
    const stmt = this.#prepared(`SELECT m.* FROM messages m WHERE m.seq < @before AND m.seq > @after ${sql} ORDER BY m.seq DESC LIMIT @limit`);
    const rows = stmt.all({ ...params, before: o.before ?? Number.MAX_SAFE_INTEGER, after: o.after ?? 0, limit: o.limit }) as MessageRow[];
    return rows.map((r) => this.#toHub(r, true, o.accounts));
  }

  /** Tapback rows pointing at any of `guids`, ascending (served by the messages_reacted_to index). */
  reactionsTo(guids: readonly string[], accounts: readonly string[] | undefined): HubMessage[] {
    if (guids.length === 0) return [];
    const stmt = this.#prepared(
      `SELECT m.* FROM messages m WHERE m.is_reaction = 1
         AND json_extract(m.body, '$.reacted_to_guid') IN (SELECT value FROM json_each(@guids))
         ${accounts ? 'AND m.account IN (SELECT value FROM json_each(@accounts))' : ''} ORDER BY m.seq`,
    );
    const rows = stmt.all({ guids: JSON.stringify(guids), ...(accounts ? { accounts: JSON.stringify(accounts) } : {}) }) as MessageRow[];
    return rows.map((r) => this.#toHub(r, false, accounts));
  }

  #filterSql(f: MessageFilter): { sql: string; params: Record<string, unknown> } {
    const parts: string[] = [];
    const params: Record<string, unknown> = {};
    if (f.accounts) {
      parts.push('AND m.account IN (SELECT value FROM json_each(@accounts))');
      params['accounts'] = JSON.stringify(f.accounts);
    }
    if (f.chatId !== undefined) {
      const members = f.merged ? this.#chats.conversationMembers(f.chatId, f.accounts) : [f.chatId];
      parts.push('AND m.chat_id IN (SELECT value FROM json_each(@chats))');
      params['chats'] = JSON.stringify(members);
    }
    if (!f.includeReactions) parts.push('AND m.is_reaction = 0');
    if (f.merged && !f.watcherDedupes) {
      parts.push(
        f.accounts
          ? `AND (m.dup_of IS NULL OR NOT EXISTS (SELECT 1 FROM messages p WHERE p.guid = m.guid AND p.guid <> '' AND p.seq < m.seq
               AND p.account IN (SELECT value FROM json_each(@accounts))))`
          : 'AND m.dup_of IS NULL',
      );
    }
    return { sql: parts.join(' '), params };
  }

  #prepared(sql: string): Database.Statement {
    let stmt = this.#queries.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#queries.set(sql, stmt);
    }
    return stmt;
  }

  #toHub(r: MessageRow, merged: boolean, scope: readonly string[] | undefined): HubMessage {
    const m = JSON.parse(r.body) as ImsgMessage;
    let accounts = [r.account];
    if (r.guid && (r.dup_of !== null || merged)) {
      const all = (this.#copies.all(r.guid) as { account: string }[]).map((c) => c.account);
      accounts = [...new Set(all.filter((a) => !scope || scope.includes(a)))];
      if (!accounts.includes(r.account)) accounts.unshift(r.account);
    }
    const meta = { seq: r.seq, account: r.account, chatId: r.chat_id, nativeId: r.native_id, replay: r.replay === 1, sendKey: r.send_key ?? undefined };
    return this.#present(m, meta, accounts, merged, scope);
  }

  #present(
    m: ImsgMessage,
    meta: { seq: number; account: string; chatId: number; nativeId: number; replay: boolean; sendKey: string | undefined },
    copies: string[],
    merged: boolean,
    scope: readonly string[] | undefined,
  ): HubMessage {
    let accounts = copies;
    let view = m;
    if (merged && !m.is_from_me && m.sender) {
      // Sent by another of our own accounts: in the merged view it is ours, "from me", whichever
      // account's copy arrived first (else a client would answer its own household, or drop it).
      const owner = this.#handles.owner(m.sender);
      if (owner && owner !== meta.account && (!scope || scope.includes(owner))) {
        view = { ...m, is_from_me: true, destination_caller_id: m.sender };
        if (!accounts.includes(owner)) accounts = [...accounts, owner];
      }
    }
    if (m.is_group) {
      // Our other accounts in this group see the message too, whether or not their copy is here yet.
      const members = this.#handles.owners(m.participants, meta.account).filter((a) => !scope || scope.includes(a));
      for (const a of members) if (!accounts.includes(a)) accounts = [...accounts, a];
    }
    return {
      ...view,
      attachments: m.attachments as HubAttachment[],
      id: meta.seq,
      chat_id: merged && meta.chatId ? this.#chats.representative(meta.chatId, scope) : meta.chatId,
      account: meta.account,
      accounts,
      native_id: meta.nativeId,
      native_chat_id: m.chat_id,
      replay: meta.replay,
      ...(meta.sendKey ? { send_key: meta.sendKey } : {}),
    };
  }
}
