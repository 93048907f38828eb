import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, parseConfig, type AgentConfig } from '@imsg-hub/agent';
import { LocalSource, localSourceOptions, SOURCE_KINDS, type SourceConfig } from '@imsg-hub/imsg-source';
import { FakeHub, SimAccount, simAttachmentsRoot, simCommand, waitFor } from '@imsg-hub/testkit';
import type { Logger } from 'pino';

// The agent core in-process over real local sources (imsg-sim children) and the hub stand-in:
// it needs both the agent and imsg-source, so it lives beside the tests that use it, not in
// testkit (which the agent's own unit tests use).

export interface TestAccount {
  name: string;
  db: string;
  cliPath: string;
  args?: string[];
}

/** Fast timings for tests; each test overrides what it exercises. */
export function testConfig(hubUrl: string, stateDir: string, accounts: TestAccount[], extra: Record<string, unknown> = {}): AgentConfig<SourceConfig> {
  return parseConfig(
    {
      agent_id: 'test-agent',
      hub: { url: hubUrl, token: 'test-token', reconnect: { initial_ms: 20, max_ms: 200 } },
      state_dir: stateDir,
      accounts: accounts.map((a) => ({
        name: a.name,
        source: { kind: 'local', cli_path: a.cliPath, db: a.db, args: a.args ?? [] },
        attachments_root: simAttachmentsRoot(a.db),
      })),
      watchdog: { probe_interval_ms: 200, stall_ms: 1000, probe_timeout_ms: 1500 },
      restart_backoff: { initial_ms: 20, max_ms: 200 },
      debounce_ms: 0,
      attachments: { max_bytes: 1024 * 1024, wait_ms: 500 },
      send: { timeout_ms: 10_000, echo_wait_ms: 1000 },
      ...extra,
    },
    { sources: SOURCE_KINDS },
  );
}

/** An in-process agent over local sources, disposed with `await using`. */
export function startAgent(config: AgentConfig<SourceConfig>, options: { log?: Logger; tempRoot?: string } = {}): Agent<SourceConfig> & AsyncDisposable {
  const agent = new Agent({
    config,
    version: 'test',
    ...(options.log ? { log: options.log } : {}),
    sourceFor: (a) =>
      a.source.kind === 'local'
        ? new LocalSource({ ...localSourceOptions(a.source), ...(options.tempRoot ? { tempRoot: options.tempRoot } : {}) })
        : (() => {
            throw new Error('tests use local sources');
          })(),
  });
  agent.start();
  return agent;
}

/** An agent over one simulated account "alice", with its hub stand-in; all disposed together. */
export interface SimAgent extends AsyncDisposable {
  readonly dir: string;
  readonly state: string;
  readonly sim: SimAccount;
  readonly hub: FakeHub;
  readonly agent: Agent<SourceConfig>;
}

export interface SimAgentOptions {
  /** The "imsg" to run (default imsg-sim), given the test's temp dir (for fixture marker files). */
  command?: (dir: string) => { cliPath: string; args: string[] };
  tempRoot?: (dir: string) => string;
  /** Runs before the agent starts: inject rows, seed the state file. */
  prepare?: (sim: SimAccount, stateDir: string, dir: string) => void;
  config?: Record<string, unknown>;
  log?: Logger;
}

export async function startSimAgent(options: SimAgentOptions = {}): Promise<SimAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'agent-sim-'));
  const state = join(dir, 'state');
  const sim = new SimAccount(dir);
  const hub = await FakeHub.start();
  options.prepare?.(sim, state, dir);
  const config = testConfig(hub.url, state, [{ name: 'alice', db: sim.db, ...(options.command?.(dir) ?? simCommand()) }], options.config);
  const agent = startAgent(config, {
    ...(options.log ? { log: options.log } : {}),
    ...(options.tempRoot ? { tempRoot: options.tempRoot(dir) } : {}),
  });
  return {
    dir,
    state,
    sim,
    hub,
    agent,
    async [Symbol.asyncDispose]() {
      await agent.close();
      await hub.close();
      sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves once the hub stand-in has a greeted agent whose account reported `running`. */
export async function untilRunning(hub: FakeHub): Promise<void> {
  await waitFor(() => hub.connected && hub.states.some((s) => s.state === 'running'), 15_000);
}
