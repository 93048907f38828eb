import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A store opened on a fresh temp dir (a state file, a database): `reopen` closes and opens it
 * again, as a restart would; dispose closes it and removes the dir.
 */
export class TempStore<T extends { close(): void }> implements AsyncDisposable {
  readonly dir: string;
  readonly #open: (dir: string) => T;
  state: T;

  constructor(open: (dir: string) => T, prefix = 'imsg-hub-store-') {
    this.dir = mkdtempSync(join(tmpdir(), prefix));
    this.#open = open;
    this.state = open(this.dir);
  }

  reopen(): T {
    this.state.close();
    this.state = this.#open(this.dir);
    return this.state;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.state.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
