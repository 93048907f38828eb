import { join } from 'node:path';
import { binPath, FakeHub, runAgentProcess, savedCursor, SimAccount, spawnLineProcess, startSshd, tempDir, waitFor, writeAgentConfig } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';

// The built imsg-agent process, with imsg-sim as its imsg, against a stand-in for the hub.

const simSource = (db: string) => ({ kind: 'local', cli_path: binPath('imsg-sim'), db, args: ['--poll-ms', '50'] });

describe('imsg-agent process: inbound', () => {
  it('persists the cursor only on ack, survives kill -9, and exits 0 on SIGTERM', async () => {
    await using dir = tempDir('agent-e2e-');
    const sim = new SimAccount(dir.path);
    await using hub = await FakeHub.start();
    const config = writeAgentConfig(dir.path, hub.url, [{ name: 'alice', source: simSource(sim.db) }]);
    const state = join(dir.path, 'state');
    hub.holdAcks();
    const first = sim.injectTexts(3, 'first');
    {
      await using agent = runAgentProcess(config);
      await waitFor(() => hub.rows('alice').length > 0, 15_000);
      expect(savedCursor(state, 'alice')).toEqual({ epoch: 1, acked: 0 });
      agent.kill('SIGKILL');
      expect((await agent.exited).signal).toBe('SIGKILL');
    }
    // Still nothing acked, so nothing persisted past what the hub said at hello.
    expect(savedCursor(state, 'alice')).toEqual({ epoch: 1, acked: 0 });
    hub.releaseAcks();
    await using agent = runAgentProcess(config);
    await waitFor(() => hub.rows('alice').length === 3 && savedCursor(state, 'alice')?.acked === first[2], 15_000);
    const live = sim.injectTexts(2, 'live');
    await waitFor(() => savedCursor(state, 'alice')?.acked === live[1], 15_000);
    expect(hub.rows('alice').map((r) => r.rowid)).toEqual([...first, ...live]);
    agent.kill('SIGTERM');
    expect(await agent.exited).toEqual({ code: 0, signal: null });
    expect(agent.stderr).toContain('agent stopped');
    sim.close();
  });

  it('streams an account whose imsg runs on a Mac over SSH (real sshd, pinned host key)', async () => {
    await using dir = tempDir('agent-ssh-');
    await using sshd = await startSshd();
    const sim = new SimAccount(dir.path);
    const ids = sim.injectTexts(2, 'remote');
    await using hub = await FakeHub.start();
    const config = writeAgentConfig(dir.path, hub.url, [
      {
        name: 'work',
        source: {
          kind: 'ssh',
          host: '127.0.0.1',
          port: sshd.port,
          user: sshd.user,
          private_key_file: sshd.clientKeyPath,
          host_key: sshd.hostKeyLine,
          remote_command: [process.execPath, binPath('imsg-sim'), 'rpc', '--poll-ms', '50'],
          db: sim.db,
        },
      },
    ]);
    await using agent = runAgentProcess(config);
    await waitFor(() => hub.rows('work').length === 2, 15_000);
    const more = sim.injectTexts(1, 'later');
    await waitFor(() => hub.rows('work').length === 3, 15_000);
    expect(hub.rows('work').map((r) => r.rowid)).toEqual([...ids, ...more]);
    expect(hub.states.some((s) => s.account === 'work' && s.state === 'running' && s.source === 'ssh')).toBe(true);
    agent.kill('SIGTERM');
    expect((await agent.exited).code).toBe(0);
    sim.close();
  });

  it('check-config names the bad key and says what to do', async () => {
    await using dir = tempDir('agent-cfg-');
    const config = writeAgentConfig(dir.path, 'ws://127.0.0.1:1/', [
      { name: 'work', source: { kind: 'ssh', host: 'mac', user: 'w', private_key_file: 'k', host_key: 'bogus' } },
    ]);
    await using check = spawnLineProcess(process.execPath, [binPath('imsg-agent'), 'check-config', '--config', config]);
    expect((await check.exited).code).toBe(2);
    expect(check.stderr).toContain('accounts[0].source.host_key: expected a known_hosts line or SHA256:<base64> fingerprint');
    expect(check.stderr).toContain('imsg-agent check-config --config');
  });
});
