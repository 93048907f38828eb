import type { IngestBatch, IngestOutcome, Store, StoredRow } from '@imsg-hub/store';

interface Waiting {
  batch: IngestBatch;
  resolve: (outcome: IngestOutcome) => void;
  reject: (error: Error) => void;
  receivedAt: number;
}

export interface IngestQueueOptions {
  /** Called after each commit with every newly stored row, the hub sequence before it, and when each batch arrived. */
  onCommitted: (stored: StoredRow[], previousMax: number, arrivals: number[]) => void;
  /** Observes each commit: rows, batches and how long it took (metrics). */
  onCommitTimed?: (info: { batches: number; rows: number; ms: number; oldestWaitMs: number }) => void;
}

/**
 * Group commit (design.md "Inbound contract" 3): every batch that arrived while the event loop was
 * busy is committed in one transaction, then each batch is answered. Never one transaction per row.
 */
export class IngestQueue {
  readonly #store: Store;
  readonly #options: IngestQueueOptions;
  #waiting: Waiting[] = [];
  #scheduled = false;

  constructor(store: Store, options: IngestQueueOptions) {
    this.#store = store;
    this.#options = options;
  }

  submit(batch: IngestBatch): Promise<IngestOutcome> {
    return new Promise((resolve, reject) => {
      this.#waiting.push({ batch, resolve, reject, receivedAt: performance.now() });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  get depth(): number {
    return this.#waiting.length;
  }

  #flush(): void {
    this.#scheduled = false;
    const group = this.#waiting;
    this.#waiting = [];
    if (group.length === 0) return;
    const started = performance.now();
    const previousMax = this.#store.maxSeq();
    let outcomes: IngestOutcome[];
    try {
      outcomes = this.#store.ingest(group.map((w) => w.batch));
    } catch (err) {
      for (const w of group) w.reject(err as Error);
      return;
    }
    const stored = outcomes.flatMap((o) => (o.ok ? o.stored : []));
    this.#options.onCommitTimed?.({
      batches: group.length,
      rows: group.reduce((n, w) => n + w.batch.rows.length, 0),
      ms: performance.now() - started,
      oldestWaitMs: started - group[0]!.receivedAt,
    });
    for (const [i, w] of group.entries()) w.resolve(outcomes[i]!);
    this.#options.onCommitted(
      stored,
      previousMax,
      group.map((w) => w.receivedAt),
    );
  }
}
