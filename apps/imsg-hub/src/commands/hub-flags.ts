import { DEFAULT_HUB_URL } from '@imsg-hub/hub-client/default-hub-url';
import type { Command } from 'commander';

/** The flags every facade command (rpc, status, the one-shots) takes to reach the hub; each also from the environment. */
export interface FacadeCommandFlags {
  account?: string;
  hubUrl?: string;
  token?: string;
  tokenFile?: string;
  cacheDir?: string;
  ca?: string;
  answerWithin?: string;
  sendWait?: string;
  verbose?: boolean;
  logLevel?: string;
  imsgVersion?: string;
  json?: boolean;
}

/**
 * commander's parser for a repeatable `--hub-url`: each use adds hubs, kept as one comma list
 * (`--hub-url ws://a/ --hub-url ws://b/` is `ws://a/,ws://b/`, as IMSG_HUB_URL writes it).
 */
export function collectHubUrls(value: string, previous: string | undefined): string {
  return previous ? `${previous},${value}` : value;
}

/** `--hub-url`'s help: where the hub is, or several hubs of one fleet. */
export const HUB_URL_HELP = 'hub WebSocket URL; for several hubs of one fleet repeat it or separate with commas (env IMSG_HUB_URL';

/** Adds the hub flags (and imsg's accepted-and-ignored `--db`/`--json`) to a facade command. */
export function withHubFlags(command: Command): Command {
  return command
    .option('--account <name>', 'per-account mode: only this account (env IMSG_HUB_ACCOUNT); default: every account the token sees')
    .option('--hub-url <url>', `${HUB_URL_HELP}, default ${DEFAULT_HUB_URL})`, collectHubUrls)
    .option('--token <token>', 'client token (env IMSG_HUB_TOKEN)')
    .option('--token-file <path>', 'file holding the client token (env IMSG_HUB_TOKEN_FILE)')
    .option('--ca <path>', 'PEM certificate to trust for a self-signed wss:// hub')
    .option('--imsg-version <version>', 'the imsg to play: 0.15.10 (default) or 0.9.0 (env IMSG_HUB_IMSG_VERSION)')
    .option('--db <path>', 'accepted for imsg compatibility and ignored (the hub has the messages)')
    .option('-j, --json', 'one JSON line, as imsg prints it')
    .option('-v, --verbose', 'diagnostics on stderr')
    .option('--log-level <level>', 'diagnostics on stderr at this level: silent, error, warn (default), info, debug');
}
