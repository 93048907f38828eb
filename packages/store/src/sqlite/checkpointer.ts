import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

// Runs in a worker thread with its own connection: checkpoints the WAL so the writing thread never
// pays for it in the middle of a commit (an auto-checkpoint there is a multi-millisecond stall).
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.lib);
const db = new Database(workerData.path);
db.pragma('busy_timeout = 5000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err && err.message)); }
}, workerData.intervalMs);
parentPort.on('message', (m) => { if (m === 'stop') { clearInterval(timer); db.close(); process.exit(0); } });
`;

/** A background WAL checkpointer for one database file; `stop()` ends it. */
export class Checkpointer {
  readonly #worker: Worker;

  constructor(path: string, intervalMs = 500) {
    const lib = createRequire(import.meta.url).resolve('better-sqlite3');
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, lib, intervalMs } });
    this.#worker.unref();
    this.#worker.on('error', () => undefined);
  }

  async stop(): Promise<void> {
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.postMessage('stop');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 1000))]);
    await this.#worker.terminate();
  }
}
