import { Agent, type ConfigOverrides } from '@imsg-hub/agent';
import { createSource } from '@imsg-hub/imsg-source';
import type { Logger } from '@imsg-hub/logger';
import { loadAgentConfig } from './agent-config.js';
import { VERSION } from './version.js';

/** `imsg-agent run`: starts the agent and runs until SIGINT/SIGTERM, then shuts down cleanly. */
export async function runAgent(file: string, overrides: ConfigOverrides, log: Logger): Promise<never> {
  const config = loadAgentConfig(file, overrides);
  const agent = new Agent({ config, sourceFor: (account) => createSource(account.source), version: VERSION, log });
  agent.start();
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', () => resolve('SIGINT'));
    process.once('SIGTERM', () => resolve('SIGTERM'));
  });
  log.info({ signal }, 'signal received; shutting down');
  // A second signal means "now".
  const force = (): never => process.exit(1);
  process.once('SIGINT', force);
  process.once('SIGTERM', force);
  await agent.close();
  log.flush();
  // Backoff timers of a reconnect in progress may still be pending; nothing is left to do.
  process.exit(0);
}
