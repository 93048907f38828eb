// Shared by the agent benches: a world of one simulated account, a real `imsg-hub serve`, and a real
// `imsg-agent run` whose imsg is `imsg-sim rpc` (0.15.10 by default, 0.9.0 on request).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubClient } from '@imsg-hub/hub-client';
import { SimWorld } from '@imsg-hub/sim';
import { AgentProcess, HubProcess, simSource } from '@imsg-hub/testkit';

/**
 * Seeds `rows` incoming rows over `chats` chats (before anything runs, as a Mac's history is), then
 * starts the hub; `startAgent()` starts the agent. Everything runs as separate processes.
 */
export async function agentFixture({ rows = 0, chats = 50, imsgVersion, agentConfig = {}, hubConfig = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'imsg-agent-bench-'));
  const world = SimWorld.create({ version: 1, accounts: [{ name: 'alice', db: 'alice/chat.db', handles: ['alice@example.com'] }] }, join(dir, 'world.json'));
  const BATCH = 10_000;
  for (let start = 0; start < rows; start += BATCH) {
    const n = Math.min(BATCH, rows - start);
    world.injectMany(
      Array.from({ length: n }, (_, j) => ({
        account: 'alice',
        from: `+1415555${String(1000 + ((start + j) % chats))}`,
        text: `history row ${start + j} with a little text in it`,
      })),
    );
  }
  const env = { ...process.env, LOG_LEVEL: 'error' };
  const hub = new HubProcess({ dir: join(dir, 'hub'), config: { accounts: { alice: { handles: ['alice@example.com'] } }, ...hubConfig }, env });
  await hub.start();
  const token = await hub.token('agent', ['alice']);
  const clientToken = await hub.token('client', '*', 'bench');
  const agent = new AgentProcess({
    dir: join(dir, 'agent'),
    hubUrl: hub.url,
    token,
    accounts: [{ name: 'alice', source: simSource(world.info('alice').dbPath, { imsgVersion }) }],
    config: agentConfig,
    env,
  });
  const client = await HubClient.connect({ url: hub.url, token: clientToken, reconnect: true });
  return {
    world,
    hub,
    agent,
    client,
    /** Messages the hub stored for alice. */
    async stored() {
      const { accounts } = await client.call('accounts.list', {});
      return accounts.find((a) => a.name === 'alice')?.messages ?? 0;
    },
    async close() {
      await client.close().catch(() => undefined);
      await agent[Symbol.asyncDispose]();
      await hub.stop();
      world.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}
