import { HubClient, resolveHubEndpoint, type HubEndpointFlags } from '@imsg-hub/hub-client';
import type { Command } from 'commander';
import { collectHubUrls, HUB_URL_HELP } from './commands/hub-flags.js';

export type ClientFlags = HubEndpointFlags;

/** Adds the flags every client command takes: where the hub is and which token to use. */
export function withClientOptions(cmd: Command): Command {
  return cmd
    .option('--hub-url <url>', `${HUB_URL_HELP})`, collectHubUrls)
    .option('--token <token>', 'client token (env IMSG_HUB_TOKEN)')
    .option('--token-file <path>', 'file holding the client token (env IMSG_HUB_TOKEN_FILE)')
    .option('--ca <path>', 'PEM certificate to trust for a self-signed wss:// hub');
}

/**
 * Connects with flags → env → default (`resolveHubEndpoint`), saying what is missing. Given several
 * hubs, the first that answers is used (and, with `reconnect`, the next after a loss).
 */
export async function connectClient(flags: ClientFlags, name: string, reconnect = false): Promise<HubClient> {
  const c = resolveHubEndpoint(flags, process.env, 'client');
  return HubClient.connect({ url: c.urls, token: c.token, name, reconnect, ...(c.ca ? { ca: c.ca } : {}) });
}
