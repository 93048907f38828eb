import type { Peer } from '@imsg-hub/jsonrpc';
import { MAX_BATCH_ROWS, callHub, type Row } from '@imsg-hub/hub-protocol';
import type { ImsgMessage } from '@imsg-hub/imsg-protocol';
import type { Logger } from 'pino';
import { fitRow } from './row-fit.js';
import type { AttachmentUploader } from './attachment-uploader.js';
import type { CursorStore, SeenRow } from './cursor-store.js';

export interface InboundStreamOptions {
  account: string;
  epoch: number;
  /** The acked cursor the watch resumes after. */
  after: number;
  /** Rows up to this rowid existed before the watch started: they are replays, not live. */
  replayUpTo: number;
  peer: Peer;
  cursor: CursorStore;
  uploader: AttachmentUploader;
  maxFrameBytes: number;
  /** Batches in flight at once. */
  window?: number;
  rowsTimeoutMs?: number;
  log: Logger;
}

interface Prepared {
  row: Row;
  bytes: number;
}

const FRAME_OVERHEAD = 4096;

/**
 * One watch subscription's rows on their way to the hub over one link: ascending, at most 500 per
 * `rows` batch, a bounded window of batches in flight, the cursor advanced only on the hub's ack.
 * Any failure ends the stream; its owner starts a new one from the acked cursor.
 */
export class InboundStream {
  readonly failed: Promise<Error>;
  readonly #o: InboundStreamOptions;
  readonly #queue: ImsgMessage[] = [];
  readonly #ready: Prepared[] = [];
  #fail!: (error: Error) => void;
  #delivered: number;
  #replayUpTo: number;
  #lastQueued: number;
  #acked: number;
  #inFlight = 0;
  /** Rows in the batches in flight. */
  #inFlightRows = 0;
  #pumping = false;
  #closed = false;
  readonly #roomWaiters: { below: number; wake: () => void }[] = [];

  constructor(options: InboundStreamOptions) {
    this.#o = options;
    this.#delivered = options.after;
    this.#replayUpTo = options.replayUpTo;
    this.#lastQueued = options.after;
    this.#acked = options.after;
    this.#sentUpTo = options.after;
    this.failed = new Promise((resolve) => {
      this.#fail = (error) => {
        if (this.#closed) return;
        this.#closed = true;
        this.#wakeRoom();
        resolve(error);
      };
    });
  }

  /** Highest rowid the watch delivered to this stream. */
  get delivered(): number {
    return this.#delivered;
  }

  /** When the watch last delivered a row (performance.now()). */
  get lastPushAt(): number {
    return this.#lastPushAt;
  }

  /** Notifications the watch delivered (duplicates included: they fill imsg's pages too). */
  get pushed(): number {
    return this.#pushed;
  }

  #lastPushAt = performance.now();
  #pushed = 0;

  get acked(): number {
    return this.#acked;
  }

  /** Rows taken but not yet acked by the hub (queued, prepared or in flight). */
  get backlog(): number {
    return this.#queue.length + this.#ready.length + this.#inFlightRows;
  }

  /**
   * Resolves once fewer than `below` rows wait for the hub, or the stream ended: a reader that can
   * produce rows faster than the hub stores them (a catch-up) waits here instead of filling memory.
   */
  whenRoom(below: number): Promise<void> {
    if (this.#closed || this.backlog < below) return Promise.resolve();
    return new Promise((wake) => this.#roomWaiters.push({ below, wake }));
  }

  #wakeRoom(): void {
    if (this.#roomWaiters.length === 0) return;
    const backlog = this.backlog;
    for (let i = this.#roomWaiters.length - 1; i >= 0; i--) {
      const w = this.#roomWaiters[i]!;
      if (this.#closed || backlog < w.below) {
        this.#roomWaiters.splice(i, 1);
        w.wake();
      }
    }
  }

  /** Rows up to `rowid` existed before the watch started (known once chat.db could be read). */
  markReplayUpTo(rowid: number): void {
    this.#replayUpTo = Math.max(this.#replayUpTo, rowid);
  }

  /** Takes one watch notification. */
  push(message: ImsgMessage): void {
    if (this.#closed) return;
    this.#lastPushAt = performance.now();
    this.#pushed += 1;
    this.#delivered = Math.max(this.#delivered, message.id);
    // imsg emits a row joined to two chats twice; rows must be strictly ascending.
    if (message.id <= this.#lastQueued) return;
    this.#lastQueued = message.id;
    this.#queue.push(message);
    // Deferred so every row of one stdout chunk lands in the queue (and one batch) first.
    if (this.#queue.length === 1 && !this.#pumping) setImmediate(() => void this.#pump());
  }

  /** Ends the stream with `error` (the watch failed, or the owner tears it down). */
  fail(error: Error): void {
    this.#fail(error);
  }

  close(): void {
    this.#closed = true;
    this.#wakeRoom();
  }

  async #pump(): Promise<void> {
    if (this.#pumping) return;
    this.#pumping = true;
    try {
      while (!this.#closed && this.#queue.length > 0) {
        const message = this.#queue.shift()!;
        const live = message.id > this.#replayUpTo;
        const blobs = message.attachments.length > 0 ? await this.#o.uploader.blobsFor(message, this.#o.peer, live) : undefined;
        const raw: Row = { rowid: message.id, message, ...(live ? {} : { replay: true }), ...(blobs ? { blobs } : {}) };
        const fitted = fitRow(raw, this.#o.maxFrameBytes - FRAME_OVERHEAD);
        if (fitted.truncated) this.#o.log.warn({ rowid: message.id, bytes: fitted.bytes }, 'row over the hub frame limit: text cut to fit');
        this.#ready.push({ row: fitted.row, bytes: fitted.bytes });
        if (blobs || this.#queue.length === 0) this.#flush();
      }
    } catch (err) {
      this.#fail(err as Error);
    } finally {
      this.#pumping = false;
    }
  }

  #flush(): void {
    const budget = this.#o.maxFrameBytes - FRAME_OVERHEAD;
    while (!this.#closed && this.#ready.length > 0 && this.#inFlight < (this.#o.window ?? 4)) {
      const batch: Row[] = [];
      let bytes = 0;
      while (this.#ready.length > 0 && batch.length < MAX_BATCH_ROWS) {
        const next = this.#ready[0]!;
        if (batch.length > 0 && bytes + next.bytes > budget) break;
        batch.push(next.row);
        bytes += next.bytes;
        this.#ready.shift();
      }
      this.#send(batch);
    }
  }

  /** Rowid of the last row handed to the hub in a batch (the stream's start before any). */
  #sentUpTo: number;

  #send(rows: Row[]): void {
    const { account, epoch, peer } = this.#o;
    this.#inFlight++;
    // `after`: the row forwarded just before this batch, so the hub refuses the batch instead of
    // skipping rows if an earlier batch in flight was not stored.
    const after = this.#sentUpTo;
    this.#sentUpTo = rows[rows.length - 1]!.rowid;
    this.#inFlightRows += rows.length;
    callHub(peer, 'rows', { account, epoch, rows, after }, { timeoutMs: this.#o.rowsTimeoutMs ?? 60_000 }).then(
      (result) => {
        this.#inFlight--;
        this.#inFlightRows -= rows.length;
        if (this.#closed) return;
        if (result.epoch !== epoch || result.account !== account) {
          this.#fail(new Error(`hub acked ${result.account} epoch ${result.epoch}, expected ${account} epoch ${epoch}`));
          return;
        }
        this.#onAck(result.acked, rows);
        this.#flush();
        this.#wakeRoom();
      },
      (err: Error) => {
        this.#inFlight--;
        this.#inFlightRows -= rows.length;
        this.#fail(err);
      },
    );
  }

  #lastProgress = 0;

  #onAck(acked: number, rows: readonly Row[]): void {
    if (acked <= this.#acked) return;
    this.#acked = acked;
    // A large catch-up (first start, long outage) says how far along it is, every few seconds.
    const target = this.#replayUpTo;
    if (acked < target && Date.now() - this.#lastProgress > 5000) {
      this.#lastProgress = Date.now();
      this.#o.log.info({ acked, of: target, percent: Math.floor((acked / target) * 100) }, 'catching up: rows stored by the hub');
    } else if (acked >= target && this.#lastProgress > 0 && rows.some((r) => r.replay)) {
      this.#o.log.info({ acked }, 'caught up; streaming live');
    }
    const seen: SeenRow[] = [];
    let lastRowAt: string | undefined;
    for (const r of rows) {
      if (r.rowid > acked) break;
      lastRowAt = r.message.created_at;
      if (!r.message.is_reaction && r.message.guid) seen.push({ rowid: r.rowid, guid: r.message.guid });
    }
    this.#o.cursor.ack(this.#o.account, this.#o.epoch, acked, seen, lastRowAt);
  }
}
