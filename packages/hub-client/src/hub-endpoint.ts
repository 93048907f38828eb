import { readFileSync } from 'node:fs';
import { DEFAULT_HUB_URL } from './default-hub-url.js';
import { HubClientError } from './errors.js';

/** What a client command line may say about the hub; each optional. */
export interface HubEndpointFlags {
  hubUrl?: string | undefined;
  token?: string | undefined;
  tokenFile?: string | undefined;
  /** Path of a PEM certificate (or CA) to trust for a self-signed wss:// hub. */
  ca?: string | undefined;
}

/** Where the hub is and how to prove who we are. */
export interface HubEndpoint {
  url: string;
  token: string;
  /** PEM text. */
  ca?: string;
}

/**
 * Flags → environment (`IMSG_HUB_URL`, `IMSG_HUB_TOKEN`, `IMSG_HUB_TOKEN_FILE`; empty counts as
 * unset) → `DEFAULT_HUB_URL`, with the token and CA files read. Shared by the CLI's client commands
 * and the facade. Throws HubClientError CONFIG saying what is missing and how to get it;
 * `tokenNoun` names the token in that message ("no client token: …").
 */
export function resolveHubEndpoint(flags: HubEndpointFlags, env: NodeJS.ProcessEnv = process.env, tokenNoun = 'hub'): HubEndpoint {
  const url = flags.hubUrl ?? (env['IMSG_HUB_URL'] || DEFAULT_HUB_URL);
  let token = flags.token ?? (env['IMSG_HUB_TOKEN'] || undefined);
  const tokenFile = flags.tokenFile ?? (env['IMSG_HUB_TOKEN_FILE'] || undefined);
  if (!token && tokenFile) token = readText(tokenFile, 'token file').trim();
  if (!token) {
    throw new HubClientError(
      'CONFIG',
      `no ${tokenNoun} token: pass --token or --token-file, or set IMSG_HUB_TOKEN or IMSG_HUB_TOKEN_FILE (create one with \`imsg-hub token create --role client --accounts "*"\`)`,
    );
  }
  return { url, token, ...(flags.ca ? { ca: readText(flags.ca, 'CA file') } : {}) };
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new HubClientError('CONFIG', `cannot read the ${what} ${path}: ${(err as Error).message}`, { cause: err });
  }
}
