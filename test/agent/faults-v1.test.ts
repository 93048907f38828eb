import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { attemptId } from '@imsg-hub/agent';
import { HubError, type SendDispatchParams } from '@imsg-hub/hub-protocol';
import { PEER_HANDLE, binPath, captureLog, waitFor, type FakeHub } from '@imsg-hub/testkit';
import type { Logger } from 'pino';
import { describe, expect, it } from 'vitest';
import { startSimAgent, untilRunning, type SimAgent } from '../support/agent-harness.js';

// The agent against each fault of imsg-sim 0.15's test-only switch (docs/simulator.md "Faults"):
// every one ends with the right state — no double send, no lost row, sends flowing again. The
// sim's chat.db counts what physically happened.

const FAULTS = 'faults.json';

/** An agent over an imsg-sim 0.15 child that reads `<dir>/faults.json`; the peer has written first (its chat exists). */
async function faultyAgent(
  config: Record<string, unknown> = {},
  initial: Record<string, unknown> = {},
  log?: Logger,
): Promise<SimAgent & { fault(f: Record<string, unknown>): void }> {
  let faults = '';
  const t = await startSimAgent({
    ...(log ? { log } : {}),
    command: (dir) => {
      faults = join(dir, FAULTS);
      writeFileSync(faults, JSON.stringify(initial));
      return { cliPath: binPath('imsg-sim'), args: ['--poll-ms', '50', '--faults', faults] };
    },
    prepare: (sim) => {
      sim.inject({ text: 'hi, it is me' });
    },
    config,
  });
  return Object.assign(t, { fault: (f: Record<string, unknown>) => writeFileSync(faults, JSON.stringify(f)) });
}

const send = (key: string, text: string): SendDispatchParams => ({ key, account: 'alice', params: { to: PEER_HANDLE, text } });
const hubCode = (err: unknown) => HubError.from(err)?.hubCode;
const dispatchError = (hub: FakeHub, p: SendDispatchParams) =>
  hub.dispatch(p).then(
    (ok) => ({ ok }),
    (err: unknown) => ({ err }),
  );

describe('agent × imsg 0.15 faults', () => {
  it('not_started: the tracked send is retried under the same guid and goes out once', async () => {
    await using t = await faultyAgent();
    await untilRunning(t.hub);
    t.fault({ next_send: 'not_started' });
    const outcome = await t.hub.dispatch(send('k-ns', 'try again'));
    expect(outcome).toMatchObject({ status: 'sent', result: { transport: 'bridge', guid: attemptId('k-ns', 'alice') } });
    expect(t.sim.countOutgoing('try again')).toBe(1);
  });

  it('may_have_completed: a tracked send is settled by message.send_status; an untracked one stays in doubt, never re-sent', async () => {
    await using t = await faultyAgent();
    await untilRunning(t.hub);
    t.fault({ next_send: 'may_have_completed' });
    expect(await t.hub.dispatch(send('k-mhc', 'maybe went'))).toMatchObject({
      status: 'sent',
      result: { guid: attemptId('k-mhc', 'alice'), resolved_by: 'message.send_status' },
    });
    expect(t.sim.countOutgoing('maybe went')).toBe(1);

    // A first message to a new handle cannot be tracked (no chat yet): imsg's answer is all there is.
    t.fault({ next_send: 'may_have_completed' });
    const first = { key: 'k-new', account: 'alice', params: { to: '+14155550177', text: 'new friend' } };
    const a = await dispatchError(t.hub, first);
    expect(hubCode('err' in a ? a.err : undefined)).toBe('SEND_IN_DOUBT');
    const b = await dispatchError(t.hub, first);
    expect(hubCode('err' in b ? b.err : undefined)).toBe('SEND_IN_DOUBT');
    expect(t.sim.countOutgoing('new friend')).toBe(1);
  });

  it('still_in_flight then -32004: holds sends, settles the uncertain one, restarts imsg, and the queued send goes out once', async () => {
    const captured = captureLog();
    await using t = await faultyAgent({ send: { timeout_ms: 10_000, resolve_wait_ms: 3000 } }, {}, captured.log);
    await untilRunning(t.hub);
    t.fault({ next_send: 'still_in_flight' });
    // The second waits in imsg's mutation lane behind the first and is refused -32004.
    const [first, second] = await Promise.all([t.hub.dispatch(send('k-sif', 'in flight')), t.hub.dispatch(send('k-after', 'queued behind'))]);
    expect(first).toMatchObject({ status: 'sent', result: { guid: attemptId('k-sif', 'alice'), resolved_by: 'message.send_status' } });
    expect(second).toMatchObject({ status: 'sent', result: { guid: attemptId('k-after', 'alice') } });
    expect(t.sim.countOutgoing('in flight')).toBe(1);
    expect(t.sim.countOutgoing('queued behind')).toBe(1);
    expect(t.agent.runner('alice')?.restarts).toBe(1);
    expect(t.hub.states.some((s) => s.state === 'restarting' && /still in flight|-32004/.test(s.detail ?? ''))).toBe(true);
    expect(captured.text()).toContain('imsg refused the send (-32004, mutation lane blocked)');
    // Sends flow again on the new imsg.
    expect(await t.hub.dispatch(send('k-later', 'all good'))).toMatchObject({ status: 'sent' });
    expect(t.sim.countOutgoing('all good')).toBe(1);
  });

  it('database unavailable: health says so, rows and a tracked send wait, then arrive once', async () => {
    await using t = await faultyAgent({ restart_backoff: { initial_ms: 50, max_ms: 200 } }, { database: 'unavailable' });
    await waitFor(() => t.hub.states.some((s) => s.state === 'failed' && s.imsg?.database_ready === false), 15_000);
    const failed = t.hub.states.find((s) => s.state === 'failed' && s.imsg?.database_ready === false)!;
    expect(failed.detail).toMatch(/cannot read chat\.db: .*Full Disk Access/);
    const rowids = t.sim.injectTexts(3, 'while down');
    const pending = t.hub.dispatch(send('k-db', 'sent when it is back'));
    await new Promise((r) => setTimeout(r, 500));
    expect(t.sim.countOutgoing('sent when it is back')).toBe(0);
    t.fault({});
    expect(await pending).toMatchObject({ status: 'sent', result: { guid: attemptId('k-db', 'alice') } });
    await waitFor(() => t.hub.rows('alice').length === 5, 15_000); // the peer's first message, 3 while down, our send
    expect(t.hub.rows('alice').filter((r) => rowids.includes(r.rowid))).toHaveLength(3);
    expect(t.sim.countOutgoing('sent when it is back')).toBe(1);
    await waitFor(() => t.hub.states.at(-1)?.state === 'running' && t.hub.states.at(-1)?.imsg?.database_ready === true, 15_000);
  });

  it('a silent watch: the watchdog restarts imsg and no row is lost', async () => {
    await using t = await faultyAgent();
    await untilRunning(t.hub);
    await waitFor(() => t.hub.rows('alice').length === 1, 10_000);
    t.fault({ watch: 'silent' });
    await new Promise((r) => setTimeout(r, 200)); // the watch polls (every 50 ms) and goes silent
    const ids = t.sim.injectTexts(4, 'unheard');
    await waitFor(() => t.hub.states.some((s) => s.state === 'stalled'), 15_000);
    t.fault({});
    await waitFor(() => t.hub.rows('alice').length === 5, 15_000);
    expect(
      t.hub
        .rows('alice')
        .slice(1)
        .map((r) => r.rowid),
    ).toEqual(ids);
    expect(t.agent.runner('alice')!.restarts).toBeGreaterThanOrEqual(1);
  });

  it('watch.overflow: a burst larger than the watch buffer is resumed by catch-up, every row once, in order', async () => {
    await using t = await faultyAgent({ watch_buffer_limit: 8 });
    await untilRunning(t.hub);
    await waitFor(() => t.hub.rows('alice').length === 1, 10_000);
    const ids = t.sim.injectTexts(600, 'burst');
    await waitFor(() => t.hub.rows('alice').length === 601, 20_000);
    expect(
      t.hub
        .rows('alice')
        .slice(1)
        .map((r) => r.rowid),
    ).toEqual(ids);
    expect(t.agent.runner('alice')!.inboundStats!.overflows).toBeGreaterThan(0);
    // Live after the burst: no row is a replay.
    expect(
      t.hub
        .rows('alice')
        .slice(1)
        .some((r) => r.replay),
    ).toBe(false);
  });
});
