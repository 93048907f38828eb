import { HubClient } from '@imsg-hub/hub-client';
import { DEFAULT_HUB_URL } from '@imsg-hub/hub-client/default-hub-url';
import { HubError } from '@imsg-hub/hub-protocol';
import { backingAccounts } from './capability-cache.js';
import { capabilitiesOf, unreachableCapabilities, type FacadeCapabilities } from './facade-capabilities.js';
import { resolveFacadeOptions, type FacadeFlags, type FacadeOptions } from './facade-options.js';
import { FACADE_VERSION, facadeStatus } from './status.js';
import { cliStatus } from './status-v1.js';

/** The longest `status --json` waits for the hub (OpenClaw's probe gives the command 10 s). */
const STATUS_TIMEOUT_MS = 5000;

/**
 * `imsg-hub status --json` (what `imsg status --json` tells a client, §1.8): asks the hub what the
 * backing account(s) can do now. Always an answer: a missing token or an unreachable hub is said in
 * `message`, with the bridge features off.
 */
export async function facadeCliStatus(flags: FacadeFlags, env: NodeJS.ProcessEnv = process.env): Promise<Record<string, unknown>> {
  let options: FacadeOptions;
  try {
    options = resolveFacadeOptions(flags, env);
  } catch (err) {
    const hubUrl = flags.hubUrl ?? (env['IMSG_HUB_URL'] || DEFAULT_HUB_URL);
    return cliStatus(unreachableCapabilities((err as Error).message), { hubUrl, account: flags.account ?? (env['IMSG_HUB_ACCOUNT'] || undefined) });
  }
  const ctx = { hubUrl: options.hubUrl, account: options.account };
  if (options.imsgVersion === '0.9.0') return facadeStatus(ctx);
  return cliStatus(await askHub(options), ctx);
}

async function askHub(o: FacadeOptions): Promise<FacadeCapabilities> {
  let timer: NodeJS.Timeout | undefined;
  const connecting = HubClient.connect({ url: o.hubUrls, token: o.token, name: 'imsg-hub status', version: FACADE_VERSION, ...(o.ca ? { ca: o.ca } : {}) });
  try {
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${where(o)} did not answer within ${STATUS_TIMEOUT_MS} ms`)), STATUS_TIMEOUT_MS);
    });
    const client = await Promise.race([connecting, timeout]);
    try {
      if (o.account && !client.hello.accounts.includes(o.account)) {
        return unreachableCapabilities(`account "${o.account}" is not one this token sees (it sees: ${client.hello.accounts.join(', ') || 'none'})`);
      }
      return capabilitiesOf(await Promise.race([backingAccounts(client, o.account), timeout]));
    } finally {
      await client.close().catch(() => undefined);
    }
  } catch (err) {
    connecting.then((c) => c.close()).catch(() => undefined);
    const hub = HubError.from(err);
    const why = hub
      ? `${where(o)} refused this token: ${hub.message} (${hub.hubCode})`
      : `cannot reach ${o.hubUrls.length > 1 ? 'any of ' : ''}${where(o)} (${(err as Error).message})`;
    return unreachableCapabilities(why);
  } finally {
    clearTimeout(timer);
  }
}

/** "the hub at ws://…", or "the hubs at ws://a/, ws://b/" for a fleet. */
function where(o: FacadeOptions): string {
  return o.hubUrls.length === 1 ? `the hub at ${o.hubUrls[0]}` : `the hubs at ${o.hubUrls.join(', ')}`;
}
