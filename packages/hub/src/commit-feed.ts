import type { MessageRecord } from '@imsg-hub/store';

/** One group commit, as the feed announces it. */
export interface Commit {
  /** Message copies stored, ascending seq. */
  records: readonly MessageRecord[];
  /**
   * Highest seq before and after this commit. previousMax is -1 when `records` are not every row in
   * between (another hub on a shared store committed some): watches then read the store.
   */
  previousMax: number;
  max: number;
  /** When each batch of the commit arrived (performance.now()), for latency metrics. */
  arrivals: readonly number[];
}

export type CommitListener = (commit: Commit) => void;

/**
 * What was committed, in order: watch fan-out, webhooks and metrics subscribe here instead of
 * being called by the ingest path. In-process now; a database notification channel (PostgreSQL
 * LISTEN/NOTIFY carrying sequence numbers) can publish into the same feed.
 */
export class CommitFeed {
  readonly #listeners = new Set<CommitListener>();

  subscribe(listener: CommitListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  publish(commit: Commit): void {
    for (const listener of this.#listeners) listener(commit);
  }
}
