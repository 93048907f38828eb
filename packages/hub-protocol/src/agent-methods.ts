import { ImsgAttachmentSchema, ImsgMessageSchema, ImsgReactionSchema, SendParamsSchema, SendResultSchema } from '@imsg-hub/imsg-protocol';
import { z } from 'zod';
import { BlobStateSchema } from './hub-message.js';
import { ActionMethodSchema } from './actions.js';
import { ImsgInfoSchema } from './imsg-info.js';
import { ImsgPassthroughMethodSchema } from './imsg-passthrough.js';
import { boundedJson, boundedLoose, FIELD_BOUNDS } from './json-bounds.js';
import { MAX_BATCH_ROWS } from './version.js';

// Agent ↔ hub methods after `hello` (docs/hub-protocol.md).

const account = z.string().min(1).max(64);
const epoch = z.number().int().positive();

/** Per-account resume point the hub hands the agent: resume watching after `hwm` in `epoch`. */
export const AccountResumeSchema = z.object({ name: account, epoch, hwm: z.number().int().nonnegative() });
export type AccountResume = z.infer<typeof AccountResumeSchema>;

/** Where an inbound attachment went: indexes into `message.attachments`. */
export const RowBlobSchema = z.object({
  index: z.number().int().nonnegative(),
  state: BlobStateSchema,
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
  size: z.number().int().nonnegative().optional(),
});
export type RowBlob = z.infer<typeof RowBlobSchema>;

/**
 * A message as an agent forwards it: imsg's shape, whose unknown keys are kept (imsg is
 * additive-only) but bounded in nesting and size, so no row can poison a commit or the store.
 */
export const RowMessageSchema = boundedLoose(
  ImsgMessageSchema.extend({
    attachments: z.array(boundedLoose(ImsgAttachmentSchema, FIELD_BOUNDS.item)),
    reactions: z.array(boundedLoose(ImsgReactionSchema, FIELD_BOUNDS.item)),
  }),
  FIELD_BOUNDS.message,
);

export const RowSchema = z.object({
  rowid: z.number().int(),
  message: RowMessageSchema,
  replay: z.boolean().optional(),
  blobs: z.array(RowBlobSchema).max(64).optional(),
});
export type Row = z.infer<typeof RowSchema>;

/** `rows` (agent → hub): a batch in ascending rowid; answered once committed (cumulative ack). */
export const RowsParamsSchema = z.object({
  account,
  epoch,
  rows: z.array(RowSchema).min(1).max(MAX_BATCH_ROWS),
  /**
   * The rowid of the row this agent forwarded just before this batch (its acked cursor for the
   * first batch of a stream). A batch whose `after` is above the hub's high-water mark follows an
   * earlier batch that was not stored: the hub refuses it (ROWS_GAP) rather than skip those rows.
   */
  after: z.number().int().optional(),
});
export type RowsParams = z.infer<typeof RowsParamsSchema>;
export const RowsResultSchema = z.object({ account, epoch, acked: z.number().int().nonnegative() });
export type RowsResult = z.infer<typeof RowsResultSchema>;

/** `epoch.new` (agent → hub): the chat.db was replaced; start a new epoch, deduping by guid. */
export const EpochNewParamsSchema = z.object({ account, reason: z.string().max(500) });
export const EpochNewResultSchema = AccountResumeSchema;

export const ImsgStateSchema = z.enum(['starting', 'running', 'stalled', 'restarting', 'failed', 'stopped']);
export type ImsgState = z.infer<typeof ImsgStateSchema>;

/** `account.state` (agent → hub notification): health of one account's imsg. */
export const AccountStateParamsSchema = z.object({
  account,
  state: ImsgStateSchema,
  detail: z.string().max(2000).optional(),
  source: z.enum(['local', 'ssh']).optional(),
  /** Newest chat.db rowid the watchdog probe saw; the hub computes cursor lag from it. */
  newest_rowid: z.number().int().optional(),
  last_row_at: z.string().optional(),
  restarts: z.number().int().nonnegative().optional(),
  /** What the account's imsg can do now (version, methods, features, database and bridge readiness). */
  imsg: ImsgInfoSchema.optional(),
});
export type AccountStateParams = z.infer<typeof AccountStateParamsSchema>;

/** A file to send, already in the hub's blob store. */
export const BlobRefSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  name: z.string().min(1).max(255),
  size: z.number().int().nonnegative(),
});
export type BlobRef = z.infer<typeof BlobRefSchema>;

/** `send.dispatch` (hub → agent): pass this to imsg `send` exactly once per key. */
export const SendDispatchParamsSchema = z.object({
  key: z.string().min(1).max(200),
  account,
  /** The imsg method to pass `params` to exactly once per key; `send` when absent. */
  method: z.union([z.literal('send'), ActionMethodSchema]).optional(),
  /** imsg's params, kept as given; action texts (edit) may be long, so only nesting is tightly bound. */
  params: boundedLoose(SendParamsSchema, { depth: FIELD_BOUNDS.free.depth, unknownBytes: 1024 * 1024 }),
  file: BlobRefSchema.optional(),
  /** Unix ms: an agent that has not yet started this send refuses it after this (SEND_EXPIRED). */
  not_after: z.number().int().optional(),
  /**
   * A key that was in doubt: `check` asks the agent what it knows now (never sends; tracked sends
   * are looked up); `sent` records the operator's word that it was sent; `resend` that it was not:
   * the agent sends it once more (a tracked one is looked up first and issued under its guid).
   */
  resolve: z.enum(['check', 'sent', 'resend']).optional(),
});
export type SendDispatchParams = z.infer<typeof SendDispatchParamsSchema>;

/**
 * `send.receipt` (agent → hub notification): a message sent under `key` was delivered to, or read
 * by, its recipient (imsg's `message.send_status`, or receipts seen on the account's rows).
 */
export const SendReceiptParamsSchema = z.object({
  account,
  key: z.string().min(1).max(200),
  status: z.enum(['delivered', 'read']),
  /** When the recipient's device said so (ISO 8601). */
  at: z.string().max(40).optional(),
});
export type SendReceiptParams = z.infer<typeof SendReceiptParamsSchema>;

/**
 * `chats.unread` (agent → hub notification): the unread counts imsg 0.14+ gives its most recent
 * chats (`chats.list` `unread_count`), by chat guid: a full snapshot that replaces the last one.
 */
export const ChatsUnreadParamsSchema = z.object({
  account,
  chats: z.array(z.object({ guid: z.string().min(1).max(512), unread: z.number().int().nonnegative() })).max(2000),
});
export type ChatsUnreadParams = z.infer<typeof ChatsUnreadParamsSchema>;

/** imsg's own error, verbatim. */
export const ImsgErrorSchema = z.object({ code: z.number().int(), message: z.string(), data: boundedJson(z.unknown(), FIELD_BOUNDS.free).optional() });
export type ImsgErrorObject = z.infer<typeof ImsgErrorSchema>;

export const SendDispatchResultSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('sent'), result: boundedLoose(SendResultSchema, { depth: FIELD_BOUNDS.free.depth, unknownBytes: FIELD_BOUNDS.free.bytes }) }),
  z.object({ status: z.literal('failed'), error: ImsgErrorSchema, retryable: z.boolean().optional() }),
]);
export type SendDispatchResult = z.infer<typeof SendDispatchResultSchema>;

/** `imsg.call` (hub → agent): an imsg pass-through method (IMSG_PASSTHROUGH_METHODS) for the account's imsg. */
export const ImsgCallParamsSchema = z.object({
  account,
  method: ImsgPassthroughMethodSchema,
  params: boundedJson(z.record(z.string(), z.unknown()), FIELD_BOUNDS.free),
});
export const ImsgCallResultSchema = boundedJson(z.record(z.string(), z.unknown()), FIELD_BOUNDS.free);

/** `blob.read` (agent → hub): a chunk of a stored blob (outbound files). */
export const BlobReadParamsSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  offset: z.number().int().nonnegative(),
  length: z
    .number()
    .int()
    .positive()
    .max(4 * 1024 * 1024),
});
export const BlobReadResultSchema = z.object({ data: z.string(), size: z.number().int(), eof: z.boolean() });

/** Uploads (both roles): begin, write chunks in order, finish with the sha256 of the whole. */
export const UploadBeginParamsSchema = z.object({
  size: z.number().int().nonnegative(),
  name: z.string().min(1).max(255),
  mime_type: z.string().max(200).optional(),
});
export const UploadBeginResultSchema = z.object({ upload_id: z.string(), chunk_bytes: z.number().int().positive() });
export const UploadChunkParamsSchema = z.object({
  upload_id: z.string(),
  offset: z.number().int().nonnegative(),
  data: z.string(),
});
export const UploadFinishParamsSchema = z.object({ upload_id: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });
export const UploadFinishResultSchema = z.object({ sha256: z.string(), size: z.number().int() });

/** `ping` (either direction): app-level liveness. */
export const PingParamsSchema = boundedLoose(z.object({ ts: z.number().optional() }).loose(), { depth: 4, unknownBytes: 4096 });
export const PingResultSchema = z.object({ ts: z.number() }).loose();
