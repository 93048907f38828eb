import type { CommitFeed } from './commit-feed.js';
import type { IngestBatch, IngestOutcome } from './model/ingest-plan.js';
import type { MessageModel } from './model/message-model.js';

interface Waiting {
  batch: IngestBatch;
  resolve: (outcome: IngestOutcome) => void;
  reject: (error: Error) => void;
  receivedAt: number;
}

export interface IngestQueueOptions {
  /** Observes each commit: rows, batches and how long it took (metrics). */
  onCommitTimed?: (info: { batches: number; rows: number; ms: number; oldestWaitMs: number }) => void;
}

/**
 * Group commit (design.md "Inbound contract" 3): every batch that arrived while the last commit ran
 * is committed in one transaction, then each batch is answered and the commit is published on the
 * feed. Never one transaction per row; one commit in flight at a time.
 */
export class IngestQueue {
  readonly #model: MessageModel;
  readonly #feed: CommitFeed;
  readonly #options: IngestQueueOptions;
  #waiting: Waiting[] = [];
  #scheduled = false;
  #running = false;
  /** Highest seq another hub announced (Store.onCommit) that the model has not taken in yet. */
  #absorbTo = 0;

  constructor(model: MessageModel, feed: CommitFeed, options: IngestQueueOptions = {}) {
    this.#model = model;
    this.#feed = feed;
    this.#options = options;
  }

  submit(batch: IngestBatch): Promise<IngestOutcome> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ batch, resolve, reject, receivedAt: performance.now() });
      this.#schedule();
    });
  }

  /** Another hub committed up to `maxSeq` on the shared store: take it in between our own commits. */
  absorb(maxSeq: number): void {
    if (maxSeq <= this.#model.maxSeq || maxSeq <= this.#absorbTo) return;
    this.#absorbTo = maxSeq;
    this.#schedule();
  }

  get depth(): number {
    return this.#waiting.length;
  }

  #schedule(): void {
    if (this.#scheduled || this.#running) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    const group = this.#waiting;
    this.#waiting = [];
    const absorb = this.#absorbTo > this.#model.maxSeq ? this.#absorbTo : 0;
    this.#absorbTo = 0;
    if (group.length === 0 && !absorb) return;
    this.#running = true;
    if (absorb) await this.#absorb(absorb);
    if (group.length === 0) {
      this.#running = false;
      if (this.#waiting.length || this.#absorbTo) this.#schedule();
      return;
    }
    try {
      const started = performance.now();
      const previousMax = this.#model.maxSeq;
      const outcomes = await this.#model.commit(group.map((w) => w.batch));
      this.#options.onCommitTimed?.({
        batches: group.length,
        rows: group.reduce((n, w) => n + w.batch.rows.length, 0),
        ms: performance.now() - started,
        oldestWaitMs: started - group[0]!.receivedAt,
      });
      for (const [i, w] of group.entries()) {
        const o = outcomes[i]!;
        if (o instanceof Error) w.reject(o);
        else w.resolve(o);
      }
      const records = outcomes.flatMap((o) => (o instanceof Error || !o.ok ? [] : o.stored));
      if (records.length) {
        const max = this.#model.maxSeq;
        // Rows of another hub in between (a conflict made the model reload): watches read the store.
        const whole = records.every((r, i) => r.seq === previousMax + 1 + i) && records.at(-1)!.seq === max;
        this.#feed.publish({ records, previousMax: whole ? previousMax : -1, max, arrivals: group.map((w) => w.receivedAt) });
      }
    } catch (err) {
      for (const w of group) w.reject(err as Error);
    } finally {
      this.#running = false;
      if (this.#waiting.length || this.#absorbTo) this.#schedule();
    }
  }

  async #absorb(target: number): Promise<void> {
    try {
      const absorbed = await this.#model.absorb();
      if (absorbed) this.#feed.publish({ ...absorbed, arrivals: [] });
    } catch {
      // The store is unreachable for now: try again shortly.
      setTimeout(() => this.absorb(target), 1000).unref();
    }
  }
}
