import { join } from 'node:path';
import { SimWorld } from '@imsg-hub/sim';
import { AgentProcess, simAttachmentsRoot, simSource, startHubProcess, type HubProcess, type HubProcessOptions, type SshdServer } from '@imsg-hub/testkit';

/** One simulated Apple ID: its name, handles, and how its agent reaches its imsg. */
export interface FleetAccount {
  name: string;
  handles: string[];
  via: 'local' | 'ssh';
  /** Extra arguments for its `imsg-sim rpc`. */
  simArgs?: string[];
  /** Which imsg its simulator plays (default 0.15.10; '0.9.0' for the older protocol). */
  imsgVersion?: '0.15.10' | '0.9.0';
}

/** A world of simulated accounts, a real hub process, and one real agent process per account. */
export interface Fleet extends AsyncDisposable {
  world: SimWorld;
  hub: HubProcess;
  agents: Map<string, AgentProcess>;
  clientToken: string;
}

export interface FleetOptions {
  dir: string;
  accounts: FleetAccount[];
  sshd?: SshdServer;
  hubConfig?: Record<string, unknown>;
  /** The hub's store (default: env IMSG_TEST_STORE, see HubProcessOptions.store). */
  hubStore?: HubProcessOptions['store'];
  agentConfig?: Record<string, unknown>;
  /** Extra environment for the agent processes (e.g. TMPDIR). */
  agentEnv?: NodeJS.ProcessEnv;
  /** Point agents at this URL instead of the hub's (a proxy in front of it). */
  agentHubUrl?: (hub: HubProcess) => string;
  /** Writes the Macs' history before any agent starts. */
  seed?: (world: SimWorld) => void;
}

export function sourceFor(account: FleetAccount, world: SimWorld, sshd?: SshdServer): Record<string, unknown> {
  const db = world.info(account.name).dbPath;
  const options = { args: account.simArgs, imsgVersion: account.imsgVersion };
  if (account.via === 'local') return simSource(db, options);
  if (!sshd) throw new Error(`account ${account.name} is reached over SSH but no sshd was given`);
  return simSource(db, { ...options, sshd });
}

export async function startFleet(o: FleetOptions): Promise<Fleet> {
  const world = SimWorld.create(
    { version: 1, accounts: o.accounts.map((a) => ({ name: a.name, db: `${a.name}/chat.db`, handles: a.handles })) },
    join(o.dir, 'world.json'),
  );
  o.seed?.(world);
  const accounts = Object.fromEntries(o.accounts.map((a) => [a.name, { handles: a.handles }]));
  const hub = await startHubProcess({ dir: join(o.dir, 'hub'), config: { accounts, ...o.hubConfig }, ...(o.hubStore ? { store: o.hubStore } : {}) });
  const clientToken = await hub.token('client', '*', 'test-client');
  const agents = new Map<string, AgentProcess>();
  for (const a of o.accounts) {
    const token = await hub.token('agent', [a.name]);
    const agent = new AgentProcess({
      dir: join(o.dir, `agent-${a.name}`),
      hubUrl: o.agentHubUrl ? o.agentHubUrl(hub) : hub.url,
      token,
      accounts: [{ name: a.name, source: sourceFor(a, world, o.sshd), attachments_root: simAttachmentsRoot(world.info(a.name).dbPath) }],
      config: { debounce_ms: 20, ...o.agentConfig },
      ...(o.agentEnv ? { env: { ...process.env, ...o.agentEnv } } : {}),
    });
    agent.start();
    agents.set(a.name, agent);
  }
  return {
    world,
    hub,
    agents,
    clientToken,
    async [Symbol.asyncDispose]() {
      for (const agent of agents.values()) await agent[Symbol.asyncDispose]();
      await hub[Symbol.asyncDispose]();
      world.close();
    },
  };
}
