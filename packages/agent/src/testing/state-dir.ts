import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateDb } from '../state-db.js';

/** A state file in a fresh temp dir; `reopen` simulates a restart; dispose removes it all. */
export class TempState implements AsyncDisposable {
  readonly dir = mkdtempSync(join(tmpdir(), 'agent-state-'));
  state = new StateDb(this.dir);

  reopen(): StateDb {
    this.state.close();
    this.state = new StateDb(this.dir);
    return this.state;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.state.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
