// Shared by the sim benches: a temp world of one account and a spawned `imsg-sim rpc` child.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NdjsonDecoder } from '@imsg-hub/jsonrpc';
import { SimWorld } from '@imsg-hub/sim';
import { binPath } from '@imsg-hub/testkit';

/**
 * A world of one account, seeded by `seed(world)` (default one message), and `imsg-sim rpc` over
 * it with `args` (the 0.9.0 benches pass `--imsg-version 0.9.0`; the default plays 0.15.10).
 */
export function simFixture({ args = [], seed = (world) => world.inject({ from: '+14155550101', text: 'seed' }) } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'imsg-sim-bench-'));
  const world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'me/chat.db', handles: ['me@example.com'] }] }, join(dir, 'world.json'));
  seed(world);
  const child = spawn(process.execPath, [binPath('imsg-sim'), 'rpc', '--db', world.info('me').dbPath, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const listeners = new Set();
  const decoder = new NdjsonDecoder({
    onLine: (line) => {
      for (const l of listeners) l(line);
    },
  });
  child.stdout.on('data', (chunk) => decoder.push(chunk));
  return {
    world,
    child,
    /** Sends one request and resolves with its answer (matched by id). */
    call(id, method, params = {}) {
      return new Promise((resolve) => {
        const off = this.onLine((line) => {
          const msg = JSON.parse(line);
          if (msg.id === id) {
            off();
            resolve(msg);
          }
        });
        child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
      });
    },
    onLine(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    async close() {
      child.stdin.end();
      await new Promise((resolve) => child.once('close', resolve));
      world.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
