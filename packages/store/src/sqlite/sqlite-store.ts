import type Database from 'better-sqlite3';
import type {
  AccountRecord,
  AffinityRecord,
  ChatRecord,
  CommitRecords,
  CopyRecord,
  MessageQuery,
  MessageSearch,
  MessageRecord,
  OutboxCounts,
  OutboxInsert,
  OutboxPatch,
  OutboxQuery,
  OutboxRecord,
  OwnHandleRecord,
  SendEventQuery,
  SendEventRecord,
  TokenRecord,
} from '../port/records.js';
import type { RateTake, SendRate } from '../port/send-rate.js';
import { type BlobUpload, type Store, StoreConflictError } from '../port/store.js';
import { BlobRefsTable } from './blob-refs-table.js';
import { AccountsTable } from './accounts-table.js';
import { Checkpointer } from './checkpointer.js';
import { ChatsTable } from './chats-table.js';
import { type Durability, openDatabase } from './database.js';
import { HandlesTable } from './handles-table.js';
import { MessagesTable } from './messages-table.js';
import { OutboxTable } from './outbox-table.js';
import { SendEventsTable } from './send-events-table.js';
import { SharedLimitsTable } from './shared-limits-table.js';
import { TokensTable } from './tokens-table.js';

export interface SqliteStoreOptions {
  durability?: Durability;
  /** Checkpoint the WAL from a worker thread instead of inside commits (the hub turns this on). */
  backgroundCheckpoint?: boolean;
}

/**
 * The store in one SQLite file (WAL): plain persistence behind the port. Not safe to open for
 * writing from two processes at once. better-sqlite3 is synchronous; the port's promises resolve
 * with work already done, so a commit never interleaves with another.
 */
export class SqliteStore implements Store {
  readonly db: Database.Database;
  readonly #accounts: AccountsTable;
  readonly #tokens: TokensTable;
  readonly #chats: ChatsTable;
  readonly #messages: MessagesTable;
  readonly #handles: HandlesTable;
  readonly #outbox: OutboxTable;
  readonly #sendEvents: SendEventsTable;
  readonly #commitTx: (records: CommitRecords) => void;
  readonly #checkpointer: Checkpointer | undefined;
  readonly #blobRefs: BlobRefsTable;
  readonly #webhookCursor: Database.Statement;
  readonly #setWebhookCursor: Database.Statement;
  readonly #shared: SharedLimitsTable;

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
    this.#messages = new MessagesTable(this.db);
    this.#outbox = new OutboxTable(this.db);
    this.#blobRefs = new BlobRefsTable(this.db);
    this.#sendEvents = new SendEventsTable(this.db);
    this.#webhookCursor = this.db.prepare('SELECT seq FROM webhook_cursors WHERE id = ?');
    this.#setWebhookCursor = this.db.prepare(
      'INSERT INTO webhook_cursors (id, seq, updated_at) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at',
    );
    this.#shared = new SharedLimitsTable(this.db);
    this.#commitTx = this.db.transaction((c: CommitRecords) => this.#write(c));
  }

  async maxIds(): Promise<{ seq: number; chatId: number }> {
    return { seq: this.#messages.maxSeq(), chatId: this.#chats.maxId() };
  }

  async accounts(): Promise<AccountRecord[]> {
    return this.#accounts.all();
  }
  async ensureAccount(name: string): Promise<AccountRecord> {
    return this.#accounts.ensure(name);
  }
  async newEpoch(name: string): Promise<AccountRecord> {
    return this.#accounts.newEpoch(name);
  }

  async commit(records: CommitRecords): Promise<void> {
    this.#commitTx(records);
  }

  #write(c: CommitRecords): void {
    const first = c.messages[0];
    if (first) {
      const max = this.#messages.maxSeq();
      if (first.seq <= max) throw new StoreConflictError(`message seq ${first.seq} is not above the stored maximum ${max}`);
    }
    for (const chat of c.chats) this.#chats.upsert(chat);
    for (const m of c.messages) this.#messages.insert(m);
    for (const h of c.handles) this.#handles.put(h);
    for (const a of c.affinity) this.#handles.putAffinity(a);
    for (const p of c.accounts) this.#accounts.progress(p);
    for (const b of c.blobRefs) this.#blobRefs.add(b.sha256, b.owner);
    for (const l of c.outboxLinks) this.#outbox.update(l.key, { messageSeq: l.messageSeq });
  }

  async chats(afterId = 0): Promise<ChatRecord[]> {
    return this.#chats.after(afterId);
  }
  async ownHandles(): Promise<OwnHandleRecord[]> {
    return this.#handles.all();
  }
  async putOwnHandles(handles: readonly OwnHandleRecord[]): Promise<void> {
    this.db.transaction(() => {
      for (const h of handles) this.#handles.put(h);
    })();
  }
  async affinity(): Promise<AffinityRecord[]> {
    return this.#handles.affinity();
  }
  async messages(query: MessageQuery): Promise<MessageRecord[]> {
    return this.#messages.query(query);
  }
  async searchMessages(search: MessageSearch): Promise<MessageRecord[]> {
    return this.#messages.search(search);
  }
  async copies(guids: readonly string[]): Promise<CopyRecord[]> {
    return this.#messages.copies(guids);
  }
  async linkEcho(seq: number, sendKey: string): Promise<void> {
    this.#messages.linkEcho(seq, sendKey);
  }

  async tokens(): Promise<TokenRecord[]> {
    return this.#tokens.all();
  }
  async token(id: string): Promise<TokenRecord | undefined> {
    return this.#tokens.get(id);
  }
  async insertToken(token: TokenRecord): Promise<void> {
    this.#tokens.insert(token);
  }
  async revokeToken(id: string, at: string): Promise<boolean> {
    return this.#tokens.revoke(id, at);
  }

  async outboxInsert(record: OutboxInsert): Promise<OutboxRecord> {
    return this.#outbox.insert(record);
  }
  async outboxGet(key: string): Promise<OutboxRecord | undefined> {
    return this.#outbox.get(key);
  }
  async outboxUpdate(key: string, patch: OutboxPatch): Promise<OutboxRecord> {
    return this.#outbox.update(key, patch);
  }
  async outbox(query: OutboxQuery): Promise<OutboxRecord[]> {
    return this.#outbox.query(query);
  }
  async outboxCounts(): Promise<Map<string, OutboxCounts>> {
    return this.#outbox.counts();
  }

  async sendEvents(query: SendEventQuery): Promise<SendEventRecord[]> {
    return this.#sendEvents.after(query);
  }
  async maxSendEventSeq(): Promise<number> {
    return this.#sendEvents.maxSeq();
  }
  async pruneSendEvents(before: string, limit: number): Promise<number> {
    return this.#sendEvents.prune(before, limit);
  }

  /** One hub per SQLite file: blob bytes stay in its data dir. */
  readonly sharedBlobs = undefined;
  async blobsWithOwners(shas: readonly string[]): Promise<Set<string>> {
    return this.#blobRefs.known(shas);
  }
  async blobOwners(sha256: string): Promise<string[]> {
    return this.#blobRefs.owners(sha256);
  }
  async addBlobOwner(sha256: string, owner: string, upload?: BlobUpload): Promise<void> {
    this.#blobRefs.add(sha256, owner, upload);
  }
  async blobUsage(owner: string): Promise<{ bytes: number; count: number }> {
    return this.#blobRefs.usage(owner);
  }
  async collectBlobs(before: number, limit: number): Promise<string[]> {
    return this.#blobRefs.collect(before, limit);
  }

  async webhookCursor(id: string): Promise<number | undefined> {
    return (this.#webhookCursor.get(id) as { seq: number } | undefined)?.seq;
  }
  async setWebhookCursor(id: string, seq: number): Promise<void> {
    this.#setWebhookCursor.run(id, seq, new Date().toISOString());
  }

  async takeSendToken(account: string, rate: SendRate, now: number): Promise<RateTake> {
    return this.#shared.takeSendToken(account, rate, now);
  }

  async leaseWebhook(id: string, holder: string, ttlMs: number, now: number): Promise<boolean> {
    return this.#shared.leaseWebhook(id, holder, ttlMs, now);
  }
  async releaseWebhook(id: string, holder: string): Promise<void> {
    this.#shared.releaseWebhook(id, holder);
  }

  async close(): Promise<void> {
    await this.#checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}
