import { HubClient, resolveHubEndpoint, type HubEndpointFlags } from '@imsg-hub/hub-client';
import type { Command } from 'commander';

export type ClientFlags = HubEndpointFlags;

/** Adds the flags every client command takes: where the hub is and which token to use. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--hub-url <url>', 'hub WebSocket URL (env IMSG_HUB_URL)')
    .option('--token <token>', 'client token (env IMSG_HUB_TOKEN)')
    .option('--token-file <path>', 'file holding the client token (env IMSG_HUB_TOKEN_FILE)')
    .option('--ca <path>', 'PEM certificate to trust for a self-signed wss:// hub');
}

/** Connects with flags → env → default (`resolveHubEndpoint`), saying what is missing. */
export async function connectClient(flags: ClientFlags, name: string, reconnect = false): Promise<HubClient> {
  const c = resolveHubEndpoint(flags, process.env, 'client');
  return HubClient.connect({ url: c.url, token: c.token, name, reconnect, ...(c.ca ? { ca: c.ca } : {}) });
}
