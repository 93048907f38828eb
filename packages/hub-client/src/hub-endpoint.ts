import { readFileSync } from 'node:fs';
import { DEFAULT_HUB_URL } from './default-hub-url.js';
import { HubClientError } from './errors.js';
import { parseHubUrls } from './hub-urls.js';

/** What a client command line may say about the hub; each optional. */
export interface HubEndpointFlags {
  /** One hub URL, or several comma-separated (a repeated `--hub-url` arrives joined by commas). */
  hubUrl?: string | undefined;
  token?: string | undefined;
  tokenFile?: string | undefined;
  /** Path of a PEM certificate (or CA) to trust for a self-signed wss:// hub. */
  ca?: string | undefined;
}

/** Where the hub is and how to prove who we are. */
export interface HubEndpoint {
  /** Every hub URL, as written (comma-separated): for messages and status. */
  url: string;
  /** The hubs to dial, first first; failover goes down the list. */
  urls: string[];
  token: string;
  /** PEM text. */
  ca?: string;
}

/**
 * Flags → environment (`IMSG_HUB_URL`, `IMSG_HUB_TOKEN`, `IMSG_HUB_TOKEN_FILE`; empty counts as
 * unset) → `DEFAULT_HUB_URL`, with the token and CA files read. Shared by the CLI's client commands
 * and the facade. Throws HubClientError CONFIG saying what is missing and how to get it;
 * `tokenNoun` names the token in that message ("no client token: …"). The URL may be a
 * comma-separated list of hubs of one fleet; each is checked (ws:// or wss://, at most 16, no repeats).
 */
export function resolveHubEndpoint(flags: HubEndpointFlags, env: NodeJS.ProcessEnv = process.env, tokenNoun = 'hub'): HubEndpoint {
  const fromEnv = env['IMSG_HUB_URL'] || undefined;
  const urls = parseHubUrls(flags.hubUrl ?? fromEnv ?? DEFAULT_HUB_URL, flags.hubUrl !== undefined ? '--hub-url' : fromEnv ? 'IMSG_HUB_URL' : 'hub URL');
  let token = flags.token ?? (env['IMSG_HUB_TOKEN'] || undefined);
  const tokenFile = flags.tokenFile ?? (env['IMSG_HUB_TOKEN_FILE'] || undefined);
  if (!token && tokenFile) token = readText(tokenFile, 'token file').trim();
  if (!token) {
    throw new HubClientError(
      'CONFIG',
      `no ${tokenNoun} token: pass --token or --token-file, or set IMSG_HUB_TOKEN or IMSG_HUB_TOKEN_FILE (create one with \`imsg-hub token create --role client --accounts "*"\`)`,
    );
  }
  return { url: urls.join(','), urls, token, ...(flags.ca ? { ca: readText(flags.ca, 'CA file') } : {}) };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new HubClientError('CONFIG', `cannot read the ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}
