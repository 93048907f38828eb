import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeHub, SimAccount, savedCursor, simCommand, tempDir, waitFor } from '@imsg-hub/testkit';
import { startAgent, startSimAgent, testConfig } from '../support/agent-harness.js';

// The agent core against a real imsg-sim child and an in-process stand-in for the hub.

describe('Agent inbound', () => {
  it('forwards every row in order and persists the cursor only on ack', async () => {
    let before: number[] = [];
    await using t = await startSimAgent({
      prepare: (sim) => {
        before = sim.injectTexts(5, 'old');
      },
    });
    t.hub.holdAcks();
    await waitFor(() => t.hub.rows('alice').length > 0, 10_000);
    // The hub has rows but has not answered: nothing may be persisted yet.
    expect(savedCursor(t.state, 'alice')).toEqual({ epoch: 1, acked: 0 });
    t.hub.releaseAcks();
    await waitFor(() => savedCursor(t.state, 'alice')?.acked === before[4], 10_000);
    expect(t.hub.rows('alice')).toHaveLength(5);
    const live = t.sim.injectTexts(3, 'live');
    await waitFor(() => savedCursor(t.state, 'alice')?.acked === live[2], 10_000);
    const rows = t.hub.rows('alice');
    expect(rows.map((r) => r.rowid)).toEqual([...before, ...live]);
    expect(rows.map((r) => r.message.text)).toEqual(['old 1', 'old 2', 'old 3', 'old 4', 'old 5', 'live 1', 'live 2', 'live 3']);
    expect(rows.slice(0, 5).every((r) => r.replay === true)).toBe(true);
    expect(rows.slice(5).some((r) => r.replay)).toBe(false);
    expect(t.hub.states.some((s) => s.account === 'alice' && s.state === 'running' && s.source === 'local')).toBe(true);
  });

  it('resumes from the hub high-water mark after the link is cut', async () => {
    await using t = await startSimAgent();
    const first = t.sim.injectTexts(3, 'a');
    await waitFor(() => t.hub.rows('alice').length === 3, 10_000);
    t.hub.dropConnections();
    const second = t.sim.injectTexts(4, 'b');
    await waitFor(() => t.hub.hellos >= 2 && t.hub.rows('alice').length === 7, 10_000);
    expect(t.hub.rows('alice').map((r) => r.rowid)).toEqual([...first, ...second]);
  });

  it('reconnects for a fresh resume point when the hub says the epoch is stale', async () => {
    await using t = await startSimAgent();
    const first = t.sim.injectTexts(2, 'one');
    await waitFor(() => t.hub.rows('alice').length === 2, 10_000);
    t.hub.bumpEpoch('alice');
    const second = t.sim.injectTexts(1, 'two');
    await waitFor(() => t.hub.hellos === 2 && t.hub.rows('alice').length === 3, 10_000);
    expect(t.hub.rows('alice').map((r) => r.rowid)).toEqual([...first, ...second]);
    await waitFor(() => savedCursor(t.state, 'alice')?.epoch === 2, 10_000);
  });

  it('starts a new epoch and replays when chat.db was replaced', async () => {
    await using dir = tempDir('agent-test-');
    const state = join(dir.path, 'state');
    await using hub = await FakeHub.start();
    const original = new SimAccount(dir.path);
    original.injectTexts(6, 'before');
    original.close();
    {
      await using _agent = startAgent(testConfig(hub.url, state, [{ name: 'alice', db: original.db, ...simCommand() }]));
      await waitFor(() => savedCursor(state, 'alice')?.acked === 6, 10_000);
    }
    // A restored or new Mac: fewer rows, other guids.
    const replaced = new SimAccount(dir.path, { overwrite: true });
    const fresh = replaced.injectTexts(2, 'after');
    await using _agent = startAgent(testConfig(hub.url, state, [{ name: 'alice', db: replaced.db, ...simCommand() }]));
    await waitFor(() => hub.account('alice').epoch === 2 && hub.rows('alice').length === 2, 10_000);
    expect(hub.epochRequests[0]).toContain('chat.db replaced');
    expect(hub.rows('alice').map((r) => r.message.text)).toEqual(['after 1', 'after 2']);
    expect(hub.rows('alice').map((r) => r.rowid)).toEqual(fresh);
    await waitFor(() => savedCursor(state, 'alice')?.epoch === 2 && savedCursor(state, 'alice')?.acked === fresh[1], 10_000);
    replaced.close();
  });

  it('uploads attachment bytes before the row, and refuses files over max_bytes', async () => {
    await using t = await startSimAgent();
    const small = randomBytes(200_000);
    const big = randomBytes(1024 * 1024 + 1);
    writeFileSync(join(t.dir, 'small.jpg'), small);
    writeFileSync(join(t.dir, 'big.bin'), big);
    t.sim.inject({ text: 'photo', file: join(t.dir, 'small.jpg') }, { text: 'huge', file: join(t.dir, 'big.bin') });
    await waitFor(() => t.hub.rows('alice').length === 2, 10_000);
    const [photo, huge] = t.hub.rows('alice');
    const sha = createHash('sha256').update(small).digest('hex');
    expect(photo!.blobs).toEqual([{ index: 0, state: 'stored', sha256: sha, size: small.length }]);
    expect(t.hub.blobs.get(sha)?.equals(small)).toBe(true);
    expect(huge!.blobs).toEqual([{ index: 0, state: 'too_large', size: big.length }]);
  });
});
