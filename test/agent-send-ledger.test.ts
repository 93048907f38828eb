import { binPath, FakeHub, PEER_HANDLE, runAgentProcess, SimAccount, tempDir, waitFor, writeAgentConfig } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';

// The send ledger of the built imsg-agent process survives kill -9: a redelivered key never
// sends twice. The sim's chat.db counts the physical sends.

describe('imsg-agent process: send ledger', () => {
  it('answers a key redelivered after kill -9 with the first outcome, without sending again', async () => {
    await using dir = tempDir('agent-ledger-');
    const sim = new SimAccount(dir.path);
    await using hub = await FakeHub.start();
    const config = writeAgentConfig(dir.path, hub.url, [
      { name: 'alice', source: { kind: 'local', cli_path: binPath('imsg-sim'), db: sim.db, args: ['--poll-ms', '50'] } },
    ]);
    const keys = Array.from({ length: 5 }, (_, i) => ({ key: `key-${i}`, account: 'alice', params: { to: PEER_HANDLE, text: `exactly once ${i}` } }));
    let first: unknown[];
    {
      await using agent = runAgentProcess(config);
      await waitFor(() => hub.connected && hub.states.some((s) => s.state === 'running'), 15_000);
      first = await Promise.all(keys.map((k) => hub.dispatch(k)));
      agent.kill('SIGKILL');
      await agent.exited;
    }
    await using agent = runAgentProcess(config);
    await waitFor(() => hub.connected && hub.hellos === 2, 15_000);
    const again = await Promise.all(keys.map((k) => hub.dispatch(k)));
    expect(again).toEqual(first);
    for (const [i, outcome] of first.entries()) {
      expect(outcome).toMatchObject({ status: 'sent', result: { ok: true } });
      expect(sim.countOutgoing(`exactly once ${i}`)).toBe(1);
    }
    expect(sim.countOutgoing()).toBe(5);
    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    sim.close();
  });
});
