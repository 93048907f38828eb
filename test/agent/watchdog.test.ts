import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { misbehavingCommand, waitFor, type FakeHub } from '@imsg-hub/testkit';
import { startSimAgent } from '../support/agent-harness.js';

// The watchdog against fixture children that stall on purpose (testkit's fixtures/misbehaving-imsg.mjs):
// the first imsg misbehaves, the restarted one behaves, and no row is lost.

function statesOf(hub: FakeHub): string[] {
  return hub.states.filter((s) => s.account === 'alice').map((s) => s.state);
}

describe('Watchdog', () => {
  it('restarts an imsg whose watch stops delivering while the probe sees new rows', async () => {
    let ids: number[] = [];
    await using t = await startSimAgent({
      command: (dir) => misbehavingCommand('stall-watch', join(dir, 'stalled-once'), 2),
      prepare: (sim) => {
        ids = sim.injectTexts(5);
      },
    });
    await waitFor(() => t.hub.rows('alice').length === 5, 20_000);
    expect(t.hub.rows('alice').map((r) => r.rowid)).toEqual(ids);
    const states = statesOf(t.hub);
    const stalled = states.indexOf('stalled');
    expect(stalled).toBeGreaterThan(0);
    expect(states.slice(stalled)).toEqual(expect.arrayContaining(['restarting', 'running']));
    expect(states.lastIndexOf('running')).toBeGreaterThan(stalled);
    expect(t.hub.states.find((s) => s.state === 'stalled')?.detail).toMatch(/watch stalled: imsg has row \d+ but the watch delivered only up to 2/);
    expect(t.agent.runner('alice')?.restarts).toBe(1);
  });

  it('restarts an imsg that stops answering', async () => {
    // start check, inbound probe (2 calls) and subscribe are answered; the first watchdog probe is not.
    await using t = await startSimAgent({ command: (dir) => misbehavingCommand('mute', join(dir, 'muted-once'), 4) });
    await waitFor(() => t.hub.states.some((s) => s.state === 'stalled'), 20_000);
    expect(t.hub.states.find((s) => s.state === 'stalled')?.detail).toContain('probe got no answer within 1500 ms');
    await waitFor(() => t.agent.runner('alice')?.state === 'running' && t.agent.runner('alice')?.restarts === 1, 20_000);
    const ids = t.sim.injectTexts(2, 'after restart');
    await waitFor(() => t.hub.rows('alice').length === 2, 20_000);
    expect(t.hub.rows('alice').map((r) => r.rowid)).toEqual(ids);
  });
});
