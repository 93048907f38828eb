import { loadConfigFile, type ConfigOverrides } from '@imsg-hub/agent';
import { sourceFor } from './sources.js';

/** `imsg-agent check-config`: prints the validated config (token redacted) or says what is wrong. */
export async function checkConfig(file: string, overrides: ConfigOverrides): Promise<void> {
  const config = loadConfigFile(file, overrides);
  // Building the sources validates what the schema cannot (e.g. that host_key decodes).
  for (const account of config.accounts) {
    try {
      await sourceFor(account).close();
    } catch (err) {
      throw new Error(`accounts "${account.name}": ${(err as Error).message}`);
    }
  }
  const shown = { ...config, hub: { ...config.hub, token: '<redacted>' } };
  process.stdout.write(JSON.stringify(shown, null, 2) + '\n');
}
