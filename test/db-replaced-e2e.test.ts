import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import { SimWorld } from '@imsg-hub/sim';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// design.md inbound contract 5: chat.db replaced (its newest rowid below the cursor) → a new epoch,
// rewind, dedupe by guid; nothing doubled and the stream does not stall.
describe('a replaced chat.db', () => {
  it('rewinds into a new epoch: old messages are not doubled, new ones arrive', async () => {
    await using tmp = tempDir('replaced-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [{ name: 'alice', handles: ['alice@example.com'], via: 'local' }],
      agentConfig: { watchdog: { probe_interval_ms: 300, stall_ms: 5000, probe_timeout_ms: 3000 }, restart_backoff: { initial_ms: 100, max_ms: 500 } },
    });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken });
    const seen: HubMessage[] = [];
    await client.watch({ since: 0 }, (m) => seen.push(m));
    const old = Array.from({ length: 10 }, (_, i) => fleet.world.inject({ account: 'alice', from: '+14155550100', text: `old ${i}` }));
    await waitFor(() => seen.length >= 10, 20_000);

    // A restored/new chat.db: the first 5 messages (same guids, new and lower rowids) plus 3 new ones.
    const restored = SimWorld.create(
      { version: 1, accounts: [{ name: 'alice', db: 'alice/chat.db', handles: ['alice@example.com'] }] },
      tmp.join('restored', 'world.json'),
    );
    for (let i = 0; i < 5; i++) restored.inject({ account: 'alice', from: '+14155550100', text: `old ${i}`, guid: old[i]!.guid });
    const fresh = [0, 1, 2].map((i) => restored.inject({ account: 'alice', from: '+14155550100', text: `new ${i}` }).guid);
    restored.close();
    const dbPath = fleet.world.info('alice').dbPath;
    for (const suffix of ['-wal', '-shm']) rmSync(dbPath + suffix, { force: true });
    copyFileSync(join(tmp.path, 'restored', 'alice', 'chat.db'), dbPath);
    // imsg keeps the file it opened; it sees the new one when it restarts (here: it crashes).
    for (const pid of fleet.agents.get('alice')!.children()) process.kill(pid, 'SIGKILL');

    await waitFor(() => fresh.every((g) => seen.some((m) => m.guid === g)), 30_000).catch(() => {
      throw new Error(`new messages did not arrive; agent: ${fleet.agents.get('alice')!.stderr.slice(-3000)}`);
    });
    await new Promise((r) => setTimeout(r, 500));
    expect(seen.map((m) => m.text)).toEqual([...Array.from({ length: 10 }, (_, i) => `old ${i}`), 'new 0', 'new 1', 'new 2']);
    const { accounts } = await client.call('accounts.list', {});
    expect(accounts[0]!.cursor).toEqual({ epoch: 2, hwm: 8 });
  }, 60_000);
});
