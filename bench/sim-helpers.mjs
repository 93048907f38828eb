// Shared by the sim benches: a temp world of one account and a spawned `imsg-sim rpc` child.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NdjsonDecoder } from '@imsg-hub/jsonrpc';
import { SimWorld } from '@imsg-hub/sim';
import { binPath } from '@imsg-hub/testkit';

export function simFixture() {
  const dir = mkdtempSync(join(tmpdir(), 'imsg-sim-bench-'));
  const world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'me/chat.db', handles: ['me@example.com'] }] }, join(dir, 'world.json'));
  world.inject({ from: '+14155550101', text: 'seed' });
  const child = spawn(process.execPath, [binPath('imsg-sim'), 'rpc', '--db', world.info('me').dbPath], { stdio: ['pipe', 'pipe', 'inherit'] });
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
