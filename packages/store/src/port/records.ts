import type { HubAttachment, SendState } from '@imsg-hub/hub-protocol';
import type { ImsgMessage } from '@imsg-hub/imsg-protocol';

// What the store keeps, as plain records. The hub gives them meaning (packages/hub/src/model);
// adapters only persist and query them. Ids are allocated by the hub and checked by the adapter.

/** One Apple ID's progress: its chat.db generation and the highest native rowid committed in it. */
export interface AccountRecord {
  name: string;
  epoch: number;
  hwm: number;
  lastRowAt: string | undefined;
  messageCount: number;
}

/** An imsg message as stored: attachments annotated with where the hub keeps their bytes. */
export type StoredBody = ImsgMessage & { attachments: HubAttachment[] };

/** One stored copy of a message. `seq` is the hub sequence: unique and increasing across accounts. */
export interface MessageRecord {
  seq: number;
  account: string;
  epoch: number;
  nativeId: number;
  /** Hub chat id; 0 for a row in no chat. */
  chatId: number;
  guid: string;
  /** Seq of an earlier copy of the same message (same guid) in another account. */
  dupOf: number | undefined;
  isFromMe: boolean;
  isReaction: boolean;
  replay: boolean;
  /** Idempotency key of the hub send this row echoes. */
  sendKey: string | undefined;
  body: StoredBody;
  receivedAt: string;
}

/** One account's chat, keyed by (account, guid); `conversationId` links chats that are one conversation. */
export interface ChatRecord {
  id: number;
  account: string;
  /** The chat guid, or `identifier:<chat_identifier>` for a chat imsg gave no guid. */
  guid: string;
  nativeId: number;
  identifier: string;
  name: string;
  service: string;
  isGroup: boolean;
  participants: string[];
  conversationId: number;
  lastSeq: number;
  lastMessageAt: string;
}

export type HandleSource = 'config' | 'learned';

/** Which of our accounts a handle (phone or email, normalised by the hub) belongs to. */
export interface OwnHandleRecord {
  handle: string;
  account: string;
  source: HandleSource;
}

/** The account that last exchanged messages with a handle (routing by affinity). */
export interface AffinityRecord {
  handle: string;
  account: string;
  seq: number;
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

export interface OutboxRecord {
  key: string;
  n: number;
  account: string;
  /** The imsg method `params` go to: `send`, or an action such as `tapback`. */
  method: string;
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
  /** An operator's decision on a send that was in doubt, for its next dispatch: `resend`. */
  resolution: 'resend' | undefined;
  createdAt: string;
  updatedAt: string;
}

export type OutboxInsert = Omit<OutboxRecord, 'n' | 'attempts' | 'result' | 'error' | 'messageSeq' | 'createdAt' | 'updatedAt' | 'state' | 'resolution'>;

/** Sends not final, per account: waiting, handed to the agent, and in doubt. */
export interface OutboxCounts {
  queued: number;
  dispatched: number;
  in_doubt: number;
}

export interface OutboxPatch {
  state?: SendState;
  attempts?: number;
  result?: Record<string, unknown>;
  /** `null` clears it (a send resolved as sent no longer carries the doubt). */
  error?: { code: number; message: string; data?: unknown } | null;
  messageSeq?: number;
  /** `null` clears it (the dispatch that carries it takes it). */
  resolution?: 'resend' | null;
}

/** Everything one group commit writes, in one transaction. */
export interface CommitRecords {
  /** New message copies, ascending seq, each seq above every stored one. */
  messages: MessageRecord[];
  /** Chats created or changed (upserted by id). */
  chats: ChatRecord[];
  handles: OwnHandleRecord[];
  affinity: AffinityRecord[];
  /** New progress of each account that sent rows. */
  accounts: Pick<AccountRecord, 'name' | 'hwm' | 'lastRowAt' | 'messageCount'>[];
  /** Blobs the new messages reference, by account. */
  blobRefs: { sha256: string; owner: string }[];
  /** Sends whose echo row this commit stores. */
  outboxLinks: { key: string; messageSeq: number }[];
}

/** A query over stored message copies. Every field narrows; absent fields don't. */
export interface MessageQuery {
  afterSeq?: number;
  beforeSeq?: number;
  accounts?: readonly string[];
  chatIds?: readonly number[];
  /** false: leave tapback rows out. */
  includeReactions?: boolean;
  /** Tapback rows pointing at these message guids. */
  reactedTo?: readonly string[];
  /**
   * Only the first copy of each message guid: among every account (`'all'`), or among these
   * accounts (an earlier copy in an account outside them does not hide a copy inside them).
   */
  firstCopyAmong?: 'all' | readonly string[];
  order: 'asc' | 'desc';
  limit: number;
}

/**
 * A full-text search over stored message text (reactions excluded), newest first. `words` match
 * whole words; the last one also as a prefix. Every other field narrows.
 */
export interface MessageSearch {
  words: readonly string[];
  accounts?: readonly string[];
  chatIds?: readonly number[];
  /** The sender handle exactly as stored. */
  sender?: string;
  fromMe?: boolean;
  /** ISO timestamps bounding the message's created_at: [since, until). */
  since?: string;
  until?: string;
  /** Paging: only messages with a seq below this. */
  beforeSeq?: number;
  firstCopyAmong?: 'all' | readonly string[];
  limit: number;
}

/** A query over outbox rows. */
export interface OutboxQuery {
  account?: string;
  states?: readonly SendState[];
  /** Queued rows whose expiry time is at or before this (Unix ms). */
  expiresBy?: number;
  /** Rows whose imsg result carried one of these guids and that are not yet linked to a message. */
  unlinkedResultGuids?: readonly string[];
  /** Rows carrying this file, for these accounts. */
  file?: { sha256: string; accounts: readonly string[] };
  /** Rows of any of these accounts. */
  accounts?: readonly string[];
  /** Newest first (the recent sends a status page lists); default oldest first. */
  newestFirst?: boolean;
  limit?: number;
}

/** Where a copy of a message guid is stored. */
export interface CopyRecord {
  guid: string;
  account: string;
  seq: number;
  chatId: number;
  /** This copy is the sender's own (the account sent the message). */
  isFromMe: boolean;
}

/**
 * One entry of the send-event log: an outbox row reached an outcome (`state` other than queued and
 * dispatched) or its `result.delivery` moved (delivered, read). The adapter writes it in the same
 * transaction as the outbox change; `seq` ascends in the order entries become visible.
 */
export interface SendEventRecord {
  seq: number;
  key: string;
  account: string;
  state: string;
  /** `result.delivery` after the change, when the result has one. */
  delivery: string | undefined;
  /** The outbox row's updated_at of the change. */
  at: string;
}

/** A page of the send-event log, ascending. */
export interface SendEventQuery {
  afterSeq: number;
  accounts?: readonly string[];
  limit: number;
}
