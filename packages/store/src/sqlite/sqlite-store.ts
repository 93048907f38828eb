import type Database from 'better-sqlite3';
import type { HubChat, HubMessage, SendOutcome } from '@imsg-hub/hub-protocol';
import type {
  AccountRecord,
  ChatQuery,
  IngestBatch,
  IngestOutcome,
  MessageFilter,
  OutboxInsert,
  OutboxPatch,
  OutboxRecord,
  Store,
  StoredRow,
  TokenRecord,
} from '../store.js';
import { AccountsTable } from './accounts-table.js';
import { Checkpointer } from './checkpointer.js';
import { ChatsTable } from './chats-table.js';
import { openDatabase, type Durability } from './database.js';
import { HandlesTable } from './handles-table.js';
import { MessagesTable } from './messages-table.js';
import { OutboxTable, outcomeOf } from './outbox-table.js';
import { TokensTable } from './tokens-table.js';

export interface SqliteStoreOptions {
  durability?: Durability;
  /** Checkpoint the WAL from a worker thread instead of inside commits (the hub turns this on). */
  backgroundCheckpoint?: boolean;
}

/** The hub store in one SQLite file (WAL). Not safe to open from two processes at once. */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly #accounts: AccountsTable;
  readonly #tokens: TokensTable;
  readonly #chats: ChatsTable;
  readonly #messages: MessagesTable;
  readonly #handles: HandlesTable;
  readonly #outbox: OutboxTable;
  readonly #ingestTx: (batches: readonly IngestBatch[]) => IngestOutcome[];

  readonly #checkpointer: Checkpointer | undefined;
  #blobRef!: Database.Statement;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.db = openDatabase(path, options.durability);
    if (options.backgroundCheckpoint) {
      this.db.pragma('wal_autocheckpoint = 0');
      this.#checkpointer = new Checkpointer(path);
    }
    this.#accounts = new AccountsTable(this.db);
    this.#tokens = new TokensTable(this.db);
    this.#chats = new ChatsTable(this.db);
    this.#handles = new HandlesTable(this.db);
    this.#messages = new MessagesTable(this.db, this.#chats, this.#handles);
    this.#outbox = new OutboxTable(this.db);
    this.#blobRef = this.db.prepare('INSERT OR IGNORE INTO blob_refs (sha256, account) VALUES (?, ?)');
    this.#ingestTx = this.db.transaction((batches: readonly IngestBatch[]) => {
      const outcomes = batches.map((b) => this.#ingestOne(b));
      this.#messages.flush();
      this.#chats.flush();
      this.#handles.flush();
      return outcomes;
    });
  }

  ensureAccount(name: string): AccountRecord {
    return this.#accounts.ensure(name);
  }
  account(name: string): AccountRecord | undefined {
    return this.#accounts.get(name);
  }
  accounts(): AccountRecord[] {
    return this.#accounts.all();
  }
  newEpoch(name: string): AccountRecord {
    return this.#accounts.newEpoch(name);
  }

  ingest(batches: readonly IngestBatch[]): IngestOutcome[] {
    try {
      return this.#ingestTx(batches);
    } catch (err) {
      // Rolled back: caches may hold progress that never reached the file.
      this.#accounts.reload(this.db);
      this.#chats.reload();
      this.#handles.reload();
      this.#messages.resetCache();
      throw err;
    }
  }

  #ingestOne(b: IngestBatch): IngestOutcome {
    const account = this.#accounts.get(b.account);
    if (!account) return { ok: false, account: b.account, epoch: b.epoch, reason: 'UNKNOWN_ACCOUNT', current: 0 };
    if (account.epoch !== b.epoch) return { ok: false, account: b.account, epoch: b.epoch, reason: 'STALE_EPOCH', current: account.epoch };
    const now = new Date().toISOString();
    let hwm = account.hwm;
    let lastRowAt: string | undefined;
    const stored: StoredRow[] = [];
    for (const row of b.rows) {
      if (row.rowid <= hwm) continue; // already stored: never doubled
      const echoOf = row.message.is_from_me && row.message.guid ? this.#outbox.byResultGuid(b.account, row.message.guid) : undefined;
      const s = this.#messages.insert(b.account, b.epoch, row, echoOf?.key, now);
      hwm = row.rowid;
      if (!s) continue;
      for (const blob of row.blobs ?? []) if (blob.sha256) this.#blobRef.run(blob.sha256, b.account);
      lastRowAt = row.message.created_at;
      stored.push(s);
      if (echoOf) this.#outbox.update(echoOf.key, { messageSeq: s.seq });
    }
    this.#accounts.progress(b.account, hwm, lastRowAt, stored.length);
    return { ok: true, account: b.account, epoch: b.epoch, acked: hwm, stored };
  }

  maxSeq(): number {
    return this.#messages.maxSeq();
  }
  messagesAfter(seq: number, filter: MessageFilter, limit: number): HubMessage[] {
    return this.#messages.after(seq, filter, limit);
  }
  deliverable(rows: readonly StoredRow[], filter: MessageFilter): HubMessage[] | undefined {
    return this.#messages.deliverable(rows, filter);
  }
  message(seq: number): HubMessage | undefined {
    return this.#messages.get(seq);
  }
  history(chatId: number, options: { limit: number; before?: number; after?: number; accounts?: readonly string[] }): HubMessage[] {
    return this.#messages.history(chatId, options);
  }
  reactionsTo(guids: readonly string[], accounts?: readonly string[]): HubMessage[] {
    return this.#messages.reactionsTo(guids, accounts);
  }
  chats(query: ChatQuery): HubChat[] {
    return this.#chats.list(query);
  }
  chat(id: number): HubChat | undefined {
    return this.#chats.get(id);
  }
  conversation(chatId: number): HubChat[] {
    const ids = this.#chats.conversationMembers(chatId, undefined).filter((id) => id !== chatId);
    return [chatId, ...ids].map((id) => this.#chats.get(id)).filter((c): c is HubChat => c !== undefined);
  }
  findChat(by: { account?: string; guid?: string; identifier?: string }): HubChat[] {
    return this.#chats.find(by);
  }
  affinity(handle: string): string | undefined {
    return this.#messages.affinity(handle);
  }
  handleOwner(handle: string): string | undefined {
    return this.#handles.owner(handle);
  }
  configureHandles(account: string, handles: readonly string[]): void {
    this.#handles.configure(account, handles);
  }
  ownHandles(): { handle: string; account: string; source: string }[] {
    return this.#handles.all();
  }

  insertToken(token: TokenRecord): void {
    this.#tokens.insert(token);
  }
  token(id: string): TokenRecord | undefined {
    return this.#tokens.get(id);
  }
  tokens(): TokenRecord[] {
    return this.#tokens.all();
  }
  revokeToken(id: string): boolean {
    return this.#tokens.revoke(id);
  }

  outboxInsert(record: OutboxInsert): OutboxRecord {
    return this.#outbox.insert(record);
  }
  outboxGet(key: string): OutboxRecord | undefined {
    return this.#outbox.get(key);
  }
  outboxUpdate(key: string, patch: OutboxPatch): OutboxRecord {
    let record = this.#outbox.update(key, patch);
    // The echo row may have been stored before imsg's answer came back: link it now.
    const guid = typeof patch.result?.['guid'] === 'string' ? (patch.result['guid'] as string) : undefined;
    if (guid && record.messageSeq === undefined) {
      const seq = this.#messages.seqByGuid(record.account, guid);
      if (seq !== undefined) {
        this.#messages.setSendKey(seq, key);
        record = this.#outbox.update(key, { messageSeq: seq });
      }
    }
    return record;
  }
  outboxPending(account?: string): OutboxRecord[] {
    return this.#outbox.pending(account);
  }
  outboxExpire(nowMs: number, online?: ReadonlySet<string>): OutboxRecord[] {
    return this.#outbox.expire(nowMs, online);
  }
  outboxCounts(): Map<string, { queued: number; dispatched: number }> {
    return this.#outbox.counts();
  }
  outcome(record: OutboxRecord): SendOutcome {
    return outcomeOf(record);
  }

  blobAccounts(sha256: string): string[] {
    return (this.db.prepare('SELECT account FROM blob_refs WHERE sha256 = ? ORDER BY account').all(sha256) as { account: string }[]).map((r) => r.account);
  }
  outboxHasFile(accounts: readonly string[], sha256: string): boolean {
    return (
      this.db
        .prepare("SELECT 1 FROM outbox WHERE account IN (SELECT value FROM json_each(?)) AND json_extract(file, '$.sha256') = ? LIMIT 1")
        .get(JSON.stringify(accounts), sha256) !== undefined
    );
  }
  addBlobRef(sha256: string, owner: string): void {
    this.#blobRef.run(sha256, owner);
  }
  webhookCursor(id: string): number | undefined {
    return (this.db.prepare('SELECT seq FROM webhook_cursors WHERE id = ?').get(id) as { seq: number } | undefined)?.seq;
  }
  setWebhookCursor(id: string, seq: number): void {
    this.db
      .prepare(
        'INSERT INTO webhook_cursors (id, seq, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at',
      )
      .run(id, seq, new Date().toISOString());
  }

  close(): void {
    void this.#checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}
