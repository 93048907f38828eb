import { readFileSync } from 'node:fs';
import { HubClient } from '@imsg-hub/hub-client';
import type { Command } from 'commander';

export interface ClientFlags {
  hubUrl?: string;
  token?: string;
  tokenFile?: string;
  ca?: string;
}

/** Adds the flags every client command takes: where the hub is and which token to use. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--hub-url <url>', 'hub WebSocket URL (env IMSG_HUB_URL)')
    .option('--token <token>', 'client token (env IMSG_HUB_TOKEN)')
    .option('--token-file <path>', 'file holding the client token (env IMSG_HUB_TOKEN_FILE)')
    .option('--ca <path>', 'PEM certificate to trust for a self-signed wss:// hub');
}

/** Resolves flags → env → file, and says what is missing. */
export function resolveClient(flags: ClientFlags): { url: string; token: string; ca?: Buffer } {
  const url = flags.hubUrl ?? process.env['IMSG_HUB_URL'] ?? 'ws://127.0.0.1:7311/';
  let token = flags.token ?? process.env['IMSG_HUB_TOKEN'];
  const file = flags.tokenFile ?? process.env['IMSG_HUB_TOKEN_FILE'];
  if (!token && file) token = readFileSync(file, 'utf8').trim();
  if (!token) {
    throw new Error(
      'no client token: pass --token, --token-file, or set IMSG_HUB_TOKEN (create one with `imsg-hub token create --role client --accounts "*"`)',
    );
  }
  return { url, token, ...(flags.ca ? { ca: readFileSync(flags.ca) } : {}) };
}

export async function connectClient(flags: ClientFlags, name: string, reconnect = false): Promise<HubClient> {
  const c = resolveClient(flags);
  return HubClient.connect({ url: c.url, token: c.token, name, reconnect, ...(c.ca ? { ca: c.ca } : {}) });
}
