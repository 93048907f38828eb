import type { ConfigOverrides } from '@imsg-hub/agent';
import { createSource } from '@imsg-hub/imsg-source';
import { loadAgentConfig } from './agent-config.js';

/** `imsg-agent check-config`: prints the validated config (token redacted) or says what is wrong. */
export async function checkConfig(file: string, overrides: ConfigOverrides): Promise<void> {
  const config = loadAgentConfig(file, overrides);
  // Building the sources validates what the schema cannot (e.g. that host_key decodes).
  for (const account of config.accounts) {
    try {
      await createSource(account.source).close();
    } catch (err) {
      throw new Error(`accounts "${account.name}": ${(err as Error).message}`);
    }
  }
  const shown = { ...config, hub: { ...config.hub, token: '<redacted>' } };
  process.stdout.write(JSON.stringify(shown, null, 2) + '\n');
}
