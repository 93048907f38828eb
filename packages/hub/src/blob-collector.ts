import type { Store } from '@imsg-hub/store';
import type { Logger } from 'pino';
import type { BlobStore } from './blob-store.js';
import type { BlobsConfig } from './config.js';
import { PeriodicTask } from './periodic-task.js';

/** Blobs forgotten per store call; a sweep goes on until fewer come back. */
const BATCH = 500;

/**
 * Deletes blobs nothing references any more (issue 10, point 8): no stored message carries them, no
 * queued, dispatched or in-doubt send names them, and their last upload is older than `blobs.grace_s`. Runs
 * every `blobs.sweep_interval_ms`; the store forgets the owner rows, then the file goes (unless the
 * same bytes were uploaded again meanwhile). Blobs of messages and of sends in progress stay. Files
 * the store has no record of, older than the grace period, go too.
 */
export class BlobCollector {
  readonly #store: Store;
  readonly #blobs: BlobStore;
  readonly #config: BlobsConfig;
  readonly #log: Logger;
  readonly #task: PeriodicTask<number>;

  constructor(deps: { store: Store; blobs: BlobStore; log: Logger }, config: BlobsConfig) {
    this.#store = deps.store;
    this.#blobs = deps.blobs;
    this.#config = config;
    this.#log = deps.log;
    this.#task = new PeriodicTask(
      config.sweep_interval_ms,
      () => this.#sweep(),
      (err) => {
        this.#log.warn({ err: err.message }, 'could not collect unreferenced blobs; will try again');
        return 0;
      },
    );
  }

  /** One sweep (a sweep already running is shared); resolves with the number of files deleted. */
  sweep(): Promise<number> {
    return this.#task.run();
  }

  async #sweep(): Promise<number> {
    const before = Date.now() - this.#config.grace_s * 1000;
    let deleted = 0;
    for (;;) {
      const shas = await this.#store.collectBlobs(before, BATCH);
      for (const sha of shas) if (this.#blobs.remove(sha, before)) deleted++;
      if (shas.length < BATCH) break;
    }
    deleted += await this.#sweepOrphans(before);
    if (deleted > 0) this.#log.info({ deleted, grace_s: this.#config.grace_s }, 'deleted unreferenced blobs');
    return deleted;
  }

  /**
   * Files here the store has no record of at all, older than the grace period: an upload whose
   * record a crash lost, or (several hubs on one database) a blob another hub collected after this
   * one fetched its copy. The store's collection never names those to this hub.
   */
  async #sweepOrphans(before: number): Promise<number> {
    let deleted = 0;
    let batch: string[] = [];
    const check = async () => {
      const owned = await this.#store.blobsWithOwners(batch);
      for (const sha of batch) if (!owned.has(sha) && this.#blobs.remove(sha, before)) deleted++;
      batch = [];
    };
    for await (const sha of this.#blobs.filesBefore(before)) {
      batch.push(sha);
      if (batch.length === BATCH) await check();
    }
    if (batch.length > 0) await check();
    return deleted;
  }

  close(): void {
    this.#task.close();
  }
}
