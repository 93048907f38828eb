import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binPath } from '@imsg-hub/fleet';
import { spawnLineProcess, type LineProcess } from './line-process.js';

// The built `imsg-agent` run from a config file written with fast test timings, for the tests that
// read its log lines (testkit's `AgentProcess` from the fleet package is the quiet kind).

/** Writes an agent config with fast test timings; `accounts` are config entries as written. */
export function writeAgentConfig(dir: string, hubUrl: string, accounts: unknown[], extra: Record<string, unknown> = {}): string {
  const file = join(dir, 'agent.json');
  writeFileSync(join(dir, 'token'), 'test-token\n', { mode: 0o600 });
  writeFileSync(
    file,
    JSON.stringify(
      {
        agent_id: 'e2e-agent',
        hub: { url: hubUrl, token_file: 'token', reconnect: { initial_ms: 20, max_ms: 200 } },
        state_dir: 'state',
        accounts,
        watchdog: { probe_interval_ms: 500, stall_ms: 5000, probe_timeout_ms: 5000 },
        restart_backoff: { initial_ms: 20, max_ms: 500 },
        debounce_ms: 0,
        send: { timeout_ms: 10_000, echo_wait_ms: 1000 },
        ...extra,
      },
      null,
      2,
    ),
  );
  return file;
}

/** `imsg-agent run --config FILE`, killed on dispose. */
export function runAgentProcess(config: string, args: string[] = []): LineProcess {
  return spawnLineProcess(process.execPath, [binPath('imsg-agent'), 'run', '--config', config, ...args], {
    env: { ...process.env, IMSG_AGENT_LOG_LEVEL: 'debug' },
  });
}
