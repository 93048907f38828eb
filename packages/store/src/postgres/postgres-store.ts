import pg from 'pg';
import type {
  AccountRecord,
  AffinityRecord,
  ChatRecord,
  CommitRecords,
  CopyRecord,
  MessageQuery,
  MessageRecord,
  MessageSearch,
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
import { type BlobUpload, type OutboxChange, type Store, StoreConflictError } from '../port/store.js';
import { AccountsTable } from './accounts-table.js';
import { BlobDataTable } from './blob-data-table.js';
import { BlobRefsTable } from './blob-refs-table.js';
import { CallOrder } from './call-order.js';
import { CHAT_TAKEN, ChatsTable } from './chats-table.js';
import { AccountHolds } from './account-holds.js';
import { CommitTurn } from './commit-turn.js';
import { COMMIT_CHANNEL, NotifyListener, OUTBOX_CHANNEL } from './notify-listener.js';
import { HandlesTable } from './handles-table.js';
import { MessagesTable } from './messages-table.js';
import { migratePostgres } from './migrate.js';
import { OutboxTable, unknownKeys } from './outbox-table.js';
import {
  batchedTransaction,
  COMMIT_LOCK,
  combineParts,
  inTransaction,
  LOCK_SPACE,
  type SqlPart,
  stmt,
  pgTypes,
  redactUrl,
  uniqueViolation,
} from './pg-session.js';
import { SharedLimitsTable } from './shared-limits-table.js';
import { TokensTable } from './tokens-table.js';
import { SendEventsTable } from './send-events-table.js';
import { WebhookCursorsTable } from './webhook-cursors-table.js';

export interface PostgresStoreOptions {
  /** Connections in the pool (default 8). */
  poolSize?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

/**
 * The store in a PostgreSQL database: the same records and behaviour as the SQLite adapter (calls
 * take effect in call order: CallOrder), and safe for several hubs on one database. Each commit is one transaction under a transaction-level
 * advisory lock, so commits serialize across hubs and sequence order is commit order; a commit whose
 * ids another hub took first fails with StoreConflictError and writes nothing.
 */
export class PostgresStore implements Store {
  readonly pool: pg.Pool;
  readonly #accounts = new AccountsTable();
  readonly #tokens = new TokensTable();
  readonly #chats = new ChatsTable();
  readonly #messages = new MessagesTable();
  readonly #handles = new HandlesTable();
  readonly #outbox = new OutboxTable();
  readonly #blobRefs = new BlobRefsTable();
  readonly #webhooks = new WebhookCursorsTable();
  readonly #sendEvents = new SendEventsTable();
  readonly #shared = new SharedLimitsTable();
  readonly #order = new CallOrder();
  readonly sharedBlobs: BlobDataTable;
  #closed = false;

  readonly #listener: NotifyListener;
  readonly #holds: AccountHolds;
  readonly #turn: CommitTurn;

  private constructor(pool: pg.Pool, url: string) {
    this.pool = pool;
    this.sharedBlobs = new BlobDataTable(pool);
    // On every (re)connect, the current maximum: whatever was committed while the channel was down.
    this.#listener = new NotifyListener(url, async (client) => {
      const { rows } = await client.query<{ m: number }>('SELECT COALESCE(MAX(seq), 0)::bigint AS m FROM messages');
      this.#listener.emit(COMMIT_CHANNEL, String(rows[0]!.m));
    });
    this.#holds = new AccountHolds(url, pool);
    this.#turn = new CommitTurn(url);
  }

  /** Connects, applies pending migrations, and returns the store. Errors name the (password-less) URL. */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const pool = new pg.Pool({
      connectionString: url,
      max: options.poolSize ?? 8,
      types: pgTypes,
      application_name: options.applicationName ?? 'imsg-hub',
      connectionTimeoutMillis: 10_000,
    });
    // An idle connection that dies (server restart) is dropped from the pool; the next query reconnects.
    pool.on('error', () => undefined);
    try {
      await migratePostgres(pool);
    } catch (err) {
      await pool.end().catch(() => undefined);
      throw new Error(
        `cannot open the PostgreSQL store at ${redactUrl(url)}: ${(err as Error).message}. Check store.url (or IMSG_HUB_STORE_URL), that the server is running and that the role may create tables`,
        { cause: err },
      );
    }
    return new PostgresStore(pool, url);
  }

  async maxIds(): Promise<{ seq: number; chatId: number }> {
    // Two queries side by side. Folding them into one query halved durable ingest in the bench: the
    // copies lookup (a prepared `guid = ANY($1)`) then took ~10 ms instead of ~0.4 (fixed by forcing
    // custom plans, so a cached generic plan on some pooled connection); keep two until that lookup
    // is made plan-proof.
    return this.#order.read(async () => {
      const [seq, chatId] = await Promise.all([
        this.pool.query<{ m: number }>(stmt('SELECT COALESCE(MAX(seq), 0)::bigint AS m FROM messages')),
        this.pool.query<{ m: number }>(stmt('SELECT COALESCE(MAX(id), 0)::bigint AS m FROM chats')),
      ]);
      return { seq: seq.rows[0]!.m, chatId: chatId.rows[0]!.m };
    });
  }

  async accounts(): Promise<AccountRecord[]> {
    return this.#order.read(() => this.#accounts.all(this.pool));
  }
  async ensureAccount(name: string): Promise<AccountRecord> {
    return this.#order.write(() => this.#accounts.ensure(this.pool, name));
  }
  async newEpoch(name: string): Promise<AccountRecord> {
    return this.#order.write(() => inTransaction(this.pool, (c) => this.#accounts.newEpoch(c, name)));
  }

  async commit(c: CommitRecords): Promise<void> {
    return this.#order.write(() => this.#commit(c));
  }

  async #commit(c: CommitRecords): Promise<void> {
    const last = c.messages[c.messages.length - 1];
    try {
      // Three round trips a commit: BEGIN with the turn and the stored maximum; every write in one
      // statement; the notification with COMMIT.
      await batchedTransaction(
        this.pool,
        // Commits of every hub on this database take turns here, so seq order is commit order.
        `SELECT pg_advisory_xact_lock(${LOCK_SPACE}, ${COMMIT_LOCK}); SELECT COALESCE(MAX(seq), 0)::bigint AS m FROM messages`,
        async (db, [stored]) => {
          const first = c.messages[0];
          const max = Number(stored!['m']);
          if (first && first.seq <= max) throw new StoreConflictError(`message seq ${first.seq} is not above the stored maximum ${max}`);
          // Every write of the commit in one statement (the tables are distinct: no part reads another's rows).
          const chats = this.#chats.upsertPart(c.chats);
          const links = this.#outbox.linkPart(c.outboxLinks);
          const named = (name: string, part: SqlPart | undefined, counted = false) => (part ? [{ name, counted, ...part }] : []);
          const parts = [
            ...named('chats_done', chats, true),
            ...named('messages_done', this.#messages.insertPart(c.messages)),
            ...named('handles_done', this.#handles.putPart(c.handles)),
            ...named('affinity_done', this.#handles.affinityPart(c.affinity)),
            ...named('accounts_done', this.#accounts.progressPart(c.accounts)),
            ...named('blob_refs_done', this.#blobRefs.addPart(c.blobRefs)),
            ...named('links_done', links, true),
          ];
          if (parts.length === 0) return;
          const combined = combineParts(parts);
          const done = (await db.query<{ chats_done?: number; links_done?: number }>(stmt(combined.text, combined.values))).rows[0]!;
          if (chats && done.chats_done !== chats.rows) throw new StoreConflictError(CHAT_TAKEN);
          if (links && done.links_done !== links.rows) throw unknownKeys(c.outboxLinks);
        },
        // Delivered to every listening hub when this transaction commits, in commit order.
        () => (last ? `SELECT pg_notify('${COMMIT_CHANNEL}', '${Math.trunc(last.seq)}')` : undefined),
      );
    } catch (err) {
      // A chat (account, guid) or a native row another hub stored first: plan again from the store.
      const constraint = uniqueViolation(err);
      if (constraint === 'chats_account_guid_key' || constraint === 'messages_native') {
        throw new StoreConflictError(`another writer stored these records first (${constraint})`);
      }
      throw err;
    }
  }

  async chats(afterId = 0): Promise<ChatRecord[]> {
    return this.#order.read(() => this.#chats.after(this.pool, afterId));
  }
  async ownHandles(): Promise<OwnHandleRecord[]> {
    return this.#order.read(() => this.#handles.all(this.pool));
  }
  async putOwnHandles(handles: readonly OwnHandleRecord[]): Promise<void> {
    return this.#order.write(() => this.#handles.put(this.pool, handles));
  }
  async affinity(): Promise<AffinityRecord[]> {
    return this.#order.read(() => this.#handles.affinity(this.pool));
  }
  async messages(query: MessageQuery): Promise<MessageRecord[]> {
    return this.#order.read(() => this.#messages.query(this.pool, query));
  }
  async searchMessages(search: MessageSearch): Promise<MessageRecord[]> {
    return this.#order.read(() => this.#messages.search(this.pool, search));
  }
  async copies(guids: readonly string[]): Promise<CopyRecord[]> {
    return this.#order.read(() => this.#messages.copies(this.pool, guids));
  }
  async linkEcho(seq: number, sendKey: string): Promise<void> {
    return this.#order.write(() => this.#messages.linkEcho(this.pool, seq, sendKey));
  }

  async tokens(): Promise<TokenRecord[]> {
    return this.#order.read(() => this.#tokens.all(this.pool));
  }
  async token(id: string): Promise<TokenRecord | undefined> {
    return this.#order.read(() => this.#tokens.get(this.pool, id));
  }
  async insertToken(token: TokenRecord): Promise<void> {
    return this.#order.write(() => this.#tokens.insert(this.pool, token));
  }
  async revokeToken(id: string, at: string): Promise<boolean> {
    return this.#order.write(() => this.#tokens.revoke(this.pool, id, at));
  }

  async outboxInsert(record: OutboxInsert): Promise<OutboxRecord> {
    return this.#order.write(() => this.#outbox.insert(this.pool, record));
  }
  async outboxGet(key: string): Promise<OutboxRecord | undefined> {
    return this.#order.read(() => this.#outbox.get(this.pool, key));
  }
  async outboxUpdate(key: string, patch: OutboxPatch): Promise<OutboxRecord> {
    return this.#order.write(() => this.#outbox.update(this.pool, key, patch));
  }
  async outbox(query: OutboxQuery): Promise<OutboxRecord[]> {
    return this.#order.read(() => this.#outbox.query(this.pool, query));
  }
  async outboxCounts(): Promise<Map<string, OutboxCounts>> {
    return this.#order.read(() => this.#outbox.counts(this.pool));
  }

  async sendEvents(query: SendEventQuery): Promise<SendEventRecord[]> {
    return this.#order.read(() => this.#sendEvents.after(this.pool, query));
  }
  async maxSendEventSeq(): Promise<number> {
    return this.#order.read(() => this.#sendEvents.maxSeq(this.pool));
  }
  async pruneSendEvents(before: string, limit: number): Promise<number> {
    return this.#order.write(() => this.#sendEvents.prune(this.pool, before, limit));
  }

  async blobsWithOwners(shas: readonly string[]): Promise<Set<string>> {
    return this.#order.read(() => this.#blobRefs.known(this.pool, shas));
  }
  async blobOwners(sha256: string): Promise<string[]> {
    return this.#order.read(() => this.#blobRefs.owners(this.pool, sha256));
  }
  async addBlobOwner(sha256: string, owner: string, upload?: BlobUpload): Promise<void> {
    if (upload) return this.#order.write(() => this.#blobRefs.addUpload(this.pool, sha256, owner, upload));
    return this.#order.write(() => this.#blobRefs.add(this.pool, [{ sha256, owner }]));
  }
  async blobUsage(owner: string): Promise<{ bytes: number; count: number }> {
    return this.#order.read(() => this.#blobRefs.usage(this.pool, owner));
  }
  async collectBlobs(before: number, limit: number): Promise<string[]> {
    return this.#order.write(() => this.#blobRefs.collect(this.pool, before, limit));
  }

  async webhookCursor(id: string): Promise<number | undefined> {
    return this.#order.read(() => this.#webhooks.get(this.pool, id));
  }
  async setWebhookCursor(id: string, seq: number): Promise<void> {
    return this.#order.write(() => this.#webhooks.set(this.pool, id, seq));
  }

  async takeSendToken(account: string, rate: SendRate, now: number): Promise<RateTake> {
    return this.#order.write(() => this.#shared.takeSendToken(this.pool, account, rate, now));
  }

  async leaseWebhook(id: string, holder: string, ttlMs: number, now: number): Promise<boolean> {
    return this.#order.write(() => this.#shared.leaseWebhook(this.pool, id, holder, ttlMs, now));
  }
  async releaseWebhook(id: string, holder: string): Promise<void> {
    return this.#order.write(() => this.#shared.releaseWebhook(this.pool, id, holder));
  }

  onCommit(listener: (maxSeq: number) => void): () => void {
    return this.#listener.subscribe(COMMIT_CHANNEL, (payload) => {
      const max = Number(payload);
      if (Number.isSafeInteger(max)) listener(max);
    });
  }

  commitTurn(): Promise<() => void> {
    return this.#turn.acquire();
  }

  onOutbox(listener: (change: OutboxChange) => void): () => void {
    return this.#listener.subscribe(OUTBOX_CHANNEL, (payload) => {
      try {
        listener(JSON.parse(payload) as OutboxChange);
      } catch {
        // Not ours.
      }
    });
  }

  holdAccount(account: string): Promise<boolean> {
    return this.#holds.hold(account);
  }
  releaseAccount(account: string): Promise<void> {
    return this.#holds.release(account);
  }
  accountHeld(account: string): Promise<boolean> {
    return this.#holds.held(account);
  }
  onHoldsLost(listener: () => void): () => void {
    return this.#holds.onLost(listener);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#order.idle();
    await this.#listener.close();
    await this.#holds.close();
    await this.#turn.close();
    await this.pool.end();
  }
}
