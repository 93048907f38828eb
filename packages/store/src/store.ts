import type { HubChat, HubMessage, Row, SendOutcome, SendState } from '@imsg-hub/hub-protocol';
import type { ImsgMessage } from '@imsg-hub/imsg-protocol';

// The hub sees only this interface; sqlite/ implements it (PostgreSQL would be one more adapter).

export interface AccountRecord {
  name: string;
  epoch: number;
  hwm: number;
  lastRowAt: string | undefined;
  messageCount: number;
}

export type TokenRole = 'agent' | 'client';

export interface TokenRecord {
  id: string;
  secretHash: Buffer;
  role: TokenRole;
  /** Account names, or '*' for every account. */
  accounts: string[] | '*';
  label: string | undefined;
  createdAt: string;
  revokedAt: string | undefined;
}

/** Rows from one agent for one account, as received. */
export interface IngestBatch {
  account: string;
  epoch: number;
  rows: Row[];
}

/** A message copy stored by an ingest, for fan-out and bookkeeping. */
export interface StoredRow {
  seq: number;
  account: string;
  chatId: number;
  guid: string;
  dupOf: number | undefined;
  isFromMe: boolean;
  isReaction: boolean;
  nativeId: number;
  replay: boolean;
  sendKey: string | undefined;
  /** The stored imsg message (attachments annotated with blobs); never mutate. */
  body: ImsgMessage;
}

export type IngestOutcome =
  | { ok: true; account: string; epoch: number; acked: number; stored: StoredRow[] }
  | { ok: false; account: string; epoch: number; reason: 'STALE_EPOCH' | 'UNKNOWN_ACCOUNT'; current: number };

/** Which messages a read or a watch sees. */
export interface MessageFilter {
  /** Accounts in view; undefined = all. */
  accounts?: readonly string[];
  chatId?: number;
  /** One copy per message guid among the accounts in view. */
  merged: boolean;
  /**
   * For a merged watch of one chat: return every copy and let the watcher drop guids it already
   * delivered. (A copy that links two accounts' chats arrives after the watch passed the first copy
   * as "another chat"; hiding it as a duplicate would lose the message.)
   */
  watcherDedupes?: boolean;
  includeReactions?: boolean;
}

export interface ChatQuery {
  accounts?: readonly string[];
  account?: string;
  merged: boolean;
  limit: number;
}

export interface OutboxRecord {
  key: string;
  n: number;
  account: string;
  target: string;
  route: string;
  chatId: number | undefined;
  params: Record<string, unknown>;
  file: { sha256: string; name: string; size: number } | undefined;
  requestHash: string;
  client: string | undefined;
  state: SendState;
  attempts: number;
  result: Record<string, unknown> | undefined;
  error: { code: number; message: string; data?: unknown } | undefined;
  messageSeq: number | undefined;
  expiresAt: number | undefined;
  createdAt: string;
  updatedAt: string;
}

export type OutboxInsert = Omit<OutboxRecord, 'n' | 'attempts' | 'result' | 'error' | 'messageSeq' | 'createdAt' | 'updatedAt' | 'state'>;

export interface OutboxPatch {
  state?: SendState;
  attempts?: number;
  result?: Record<string, unknown>;
  error?: { code: number; message: string; data?: unknown };
  messageSeq?: number;
}

/** Everything the hub keeps durably. Synchronous: the SQLite adapter runs in-process. */
export interface Store {
  ensureAccount(name: string): AccountRecord;
  account(name: string): AccountRecord | undefined;
  accounts(): AccountRecord[];
  newEpoch(name: string): AccountRecord;

  /** Commits every batch in one transaction (group commit). */
  ingest(batches: readonly IngestBatch[]): IngestOutcome[];
  maxSeq(): number;
  messagesAfter(seq: number, filter: MessageFilter, limit: number): HubMessage[];
  /**
   * What a watch with `filter` should see of rows just committed, computed in memory; undefined
   * when that needs the database (the caller then reads with messagesAfter).
   */
  deliverable(rows: readonly StoredRow[], filter: MessageFilter): HubMessage[] | undefined;
  message(seq: number): HubMessage | undefined;
  history(chatId: number, options: { limit: number; before?: number; after?: number; accounts?: readonly string[] }): HubMessage[];
  /** Tapback rows (is_reaction) pointing at these message guids, ascending; `accounts` undefined = all. */
  reactionsTo(guids: readonly string[], accounts?: readonly string[]): HubMessage[];
  chats(query: ChatQuery): HubChat[];
  chat(id: number): HubChat | undefined;
  /** Every chat linked into the same conversation as `chatId` (itself first). */
  conversation(chatId: number): HubChat[];
  findChat(by: { account?: string; guid?: string; identifier?: string }): HubChat[];
  affinity(handle: string): string | undefined;
  /** Which of our accounts a handle belongs to (configured, or learned from its rows). */
  handleOwner(handle: string): string | undefined;
  configureHandles(account: string, handles: readonly string[]): void;
  ownHandles(): { handle: string; account: string; source: string }[];

  insertToken(token: TokenRecord): void;
  token(id: string): TokenRecord | undefined;
  tokens(): TokenRecord[];
  revokeToken(id: string): boolean;

  outboxInsert(record: OutboxInsert): OutboxRecord;
  outboxGet(key: string): OutboxRecord | undefined;
  outboxUpdate(key: string, patch: OutboxPatch): OutboxRecord;
  /** Queued or dispatched sends of an account, oldest first. */
  outboxPending(account?: string): OutboxRecord[];
  /** Queued sends past their TTL whose account has no agent online (`online`) become expired. */
  outboxExpire(nowMs: number, online?: ReadonlySet<string>): OutboxRecord[];
  outboxCounts(): Map<string, { queued: number; dispatched: number }>;
  outcome(record: OutboxRecord): SendOutcome;

  /** Who may see a blob: accounts whose stored messages reference it, and `token:<id>` for uploaders. */
  blobAccounts(sha256: string): string[];
  addBlobRef(sha256: string, owner: string): void;
  /** Whether a send of one of these accounts carries this file. */
  outboxHasFile(accounts: readonly string[], sha256: string): boolean;

  /** Last hub sequence a webhook's receiver acknowledged; undefined for a webhook never seen. */
  webhookCursor(id: string): number | undefined;
  setWebhookCursor(id: string, seq: number): void;

  close(): void;
}
