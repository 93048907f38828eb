import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * File-change events for one chat.db: fs.watch on its folder (the -wal file appears lazily, and
 * SQLite replaces -shm), filtered to `chat.db`, `chat.db-wal` and `chat.db-shm`. One OS watcher
 * serves every subscription; it exists while anyone listens.
 */
export class DbChangeSource {
  readonly #dir: string;
  readonly #names: Set<string>;
  readonly #listeners = new Set<() => void>();
  #watcher: FSWatcher | undefined;

  constructor(dbPath: string) {
    this.#dir = dirname(dbPath);
    const base = basename(dbPath);
    this.#names = new Set([base, `${base}-wal`, `${base}-shm`]);
  }

  /** Registers `listener`; returns the function that removes it. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    this.#ensureWatching();
    return () => {
      this.#listeners.delete(listener);
      if (this.#listeners.size === 0) this.close();
    };
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #ensureWatching(): void {
    if (this.#watcher) return;
    try {
      this.#watcher = watch(this.#dir, { persistent: false }, (_event, name) => {
        // Some platforms omit the name; then any change in the folder counts.
        if (name !== null && !this.#names.has(String(name))) return;
        for (const listener of this.#listeners) listener();
      });
      // Losing the watcher (folder removed, inotify limits) leaves the fallback poll in charge.
      this.#watcher.on('error', () => this.close());
    } catch {
      this.#watcher = undefined;
    }
  }
}
