import type { SendState } from '@imsg-hub/hub-protocol';
import type {
  AccountRecord,
  AffinityRecord,
  ChatRecord,
  CommitRecords,
  CopyRecord,
  MessageRecord,
  MessageQuery,
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
} from './records.js';
import type { RateTake, SendRate } from './send-rate.js';
import type { SharedBlobs } from './shared-blobs.js';

/** An uploader's record of a blob: its size and when it was uploaded (Unix ms). */
export interface BlobUpload {
  size: number;
  at: number;
}

/** An outbox row's new state, as a shared database announces it. */
export interface OutboxChange {
  account: string;
  key: string;
  state: SendState;
}

/** Thrown by `commit` when its ids are not above every stored one (another writer went first). */
export class StoreConflictError extends Error {
  readonly code = 'STORE_CONFLICT';
  constructor(message: string) {
    super(message);
    this.name = 'StoreConflictError';
  }
}

/**
 * The hub's durable state as a port: table-shaped, async, records in and records out. The hub core
 * owns every rule (dedupe, linking, views) and every in-memory index; an adapter persists and queries.
 * Every adapter passes the same conformance suite (test/store-conformance/).
 */
export interface Store {
  /** Highest message seq and chat id stored, so the hub allocates the next ones. */
  maxIds(): Promise<{ seq: number; chatId: number }>;

  /** Every account (sorted by name). */
  accounts(): Promise<AccountRecord[]>;
  /** Creates the account at epoch 1 if it is new; returns it either way. */
  ensureAccount(name: string): Promise<AccountRecord>;
  /** Starts a new epoch (the chat.db was replaced): epoch + 1, hwm 0. */
  newEpoch(name: string): Promise<AccountRecord>;

  /** Writes one group commit atomically; StoreConflictError if its ids are already taken. */
  commit(records: CommitRecords): Promise<void>;
  /** Every chat, or those with id above `afterId` (the hub keeps them all in memory). */
  chats(afterId?: number): Promise<ChatRecord[]>;
  ownHandles(): Promise<OwnHandleRecord[]>;
  /** Records configured handles (they replace learned owners); learned ones come with commits. */
  putOwnHandles(handles: readonly OwnHandleRecord[]): Promise<void>;
  affinity(): Promise<AffinityRecord[]>;
  messages(query: MessageQuery): Promise<MessageRecord[]>;
  /** Full-text search over message text, newest first (the merged search). */
  searchMessages(search: MessageSearch): Promise<MessageRecord[]>;
  /** Every stored copy of these guids, ascending seq. */
  copies(guids: readonly string[]): Promise<CopyRecord[]>;
  /** Sets the send a stored message echoes. */
  linkEcho(seq: number, sendKey: string): Promise<void>;

  tokens(): Promise<TokenRecord[]>;
  token(id: string): Promise<TokenRecord | undefined>;
  insertToken(token: TokenRecord): Promise<void>;
  /** Marks a token revoked; false when it was unknown or already revoked. */
  revokeToken(id: string, at: string): Promise<boolean>;

  outboxInsert(record: OutboxInsert): Promise<OutboxRecord>;
  outboxGet(key: string): Promise<OutboxRecord | undefined>;
  outboxUpdate(key: string, patch: OutboxPatch): Promise<OutboxRecord>;
  /** Matching rows, oldest first. */
  outbox(query: OutboxQuery): Promise<OutboxRecord[]>;
  outboxCounts(): Promise<Map<string, OutboxCounts>>;

  /**
   * The send-event log (every outcome and receipt of an outbox row, written with the change):
   * entries after `afterSeq`, ascending; and the newest seq (0 when empty).
   */
  sendEvents(query: SendEventQuery): Promise<SendEventRecord[]>;
  maxSendEventSeq(): Promise<number>;
  /**
   * Deletes the oldest entries of the send-event log, in seq order, while they were written before
   * `before` (ISO time), at most `limit`; an entry written later stops it. Resolves with how many
   * went. Seqs are never reused, so a reader's cursor stays valid.
   */
  pruneSendEvents(before: string, limit: number): Promise<number>;

  /**
   * Blob bytes every hub on the store can read (PostgreSQL); undefined when the store has one hub,
   * which keeps them in its data dir (SQLite).
   */
  readonly sharedBlobs: SharedBlobs | undefined;
  /** Who references a blob: accounts whose messages carry it, and `token:<id>` for uploaders. */
  blobOwners(sha256: string): Promise<string[]>;
  /** Which of these blobs anything references (any owner at all): a file of any other is an orphan. */
  blobsWithOwners(shas: readonly string[]): Promise<Set<string>>;
  /**
   * Records an owner of a blob. An uploader (`token:<id>`) passes the blob's size and the upload
   * time (Unix ms); uploading the same blob again refreshes both.
   */
  addBlobOwner(sha256: string, owner: string, upload?: BlobUpload): Promise<void>;
  /** Bytes and count of the blobs `owner` uploaded that no stored message references (an upload quota's usage). */
  blobUsage(owner: string): Promise<{ bytes: number; count: number }>;
  /**
   * Forgets up to `limit` blobs nothing references any more: no stored message carries them (every
   * owner is a `token:` uploader), no queued, dispatched or in-doubt send names them (a send in doubt may be resent), and every upload was
   * before `before` (Unix ms). Returns their sha256s (each once); deleting the files is the caller's
   * (with `sharedBlobs`, their bytes there go too unless uploaded again since `before`).
   */
  collectBlobs(before: number, limit: number): Promise<string[]>;

  /** Last hub sequence a webhook's receiver acknowledged; undefined for a webhook never seen. */
  webhookCursor(id: string): Promise<number | undefined>;
  setWebhookCursor(id: string, seq: number): Promise<void>;

  /**
   * Takes one send from the account's bucket, shared by every hub on the store: refilled at
   * `rate.perMinute` since the last take (at `now`, ms; a clock behind the last take adds nothing),
   * at most `rate.burst`. Atomic: hubs taking at once never both get the last token.
   */
  takeSendToken(account: string, rate: SendRate, now: number): Promise<RateTake>;

  /**
   * Takes or renews the lease on delivering webhook `id` for `holder` until `now + ttlMs`: true when
   * `holder` has it (it was free, had expired, or was `holder`'s already), false when another
   * holder's lease runs. Only the holder delivers, so a webhook goes out from one hub at a time.
   */
  leaseWebhook(id: string, holder: string, ttlMs: number, now: number): Promise<boolean>;
  /** Ends `holder`'s lease on webhook `id` (if it has it), so another hub can take over at once. */
  releaseWebhook(id: string, holder: string): Promise<void>;

  /**
   * Commits by any writer on a shared database (PostgreSQL's LISTEN/NOTIFY): called with the new
   * highest seq, in commit order, and once with the current one whenever the channel (re)connects,
   * so nothing committed while it was down is missed. Absent on single-writer adapters (SQLite).
   */
  onCommit?(listener: (maxSeq: number) => void): () => void;
  /**
   * Waits for this hub's turn to plan and write a commit, when several hubs share the database;
   * resolves with the function that ends the turn. Absent on single-writer adapters (SQLite).
   */
  commitTurn?(): Promise<() => void>;
  /** Outbox rows inserted or changed by any hub on a shared database (and this one). Absent on SQLite. */
  onOutbox?(listener: (change: OutboxChange) => void): () => void;
  /**
   * Claims an account for this hub while its agent is linked here: at most one hub on a shared
   * database holds an account (only it dispatches the account's sends). False when another hub
   * holds it. A hub that dies loses its claims with its connection. Absent on SQLite (one hub).
   */
  holdAccount?(account: string): Promise<boolean>;
  releaseAccount?(account: string): Promise<void>;
  /** Whether any hub (this one included) holds the account: its agent is online somewhere. */
  accountHeld?(account: string): Promise<boolean>;
  /** Called when this hub's claims were lost together (its connection to the database dropped). */
  onHoldsLost?(listener: () => void): () => void;

  close(): Promise<void>;
}
