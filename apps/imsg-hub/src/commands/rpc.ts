import { DEFAULT_HUB_URL } from '@imsg-hub/hub-client/default-hub-url';
import type { Command } from 'commander';

interface RpcFlags {
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
}

/**
 * `imsg-hub rpc`: imsg's JSON-RPC on stdin/stdout, backed by the hub, so OpenClaw and any other
 * imsg client can use `imsg-hub` (through a one-line wrapper) wherever it would run `imsg`.
 */
export function registerRpc(program: Command): void {
  program
    .command('rpc')
    .description('speak imsg’s JSON-RPC on stdin/stdout, backed by the hub (for OpenClaw and other imsg clients)')
    .option('--account <name>', 'per-account mode: only this account (env IMSG_HUB_ACCOUNT); default: every account the token sees')
    .option('--hub-url <url>', `hub WebSocket URL (env IMSG_HUB_URL, default ${DEFAULT_HUB_URL})`)
    .option('--token <token>', 'client token (env IMSG_HUB_TOKEN)')
    .option('--token-file <path>', 'file holding the client token (env IMSG_HUB_TOKEN_FILE)')
    .option('--cache-dir <dir>', 'where inbound attachments are cached (env IMSG_HUB_CACHE_DIR, default $XDG_CACHE_HOME/imsg-hub/attachments)')
    .option('--ca <path>', 'PEM certificate to trust for a self-signed wss:// hub')
    .option(
      '--answer-within <ms>',
      'answer every request within this long of receiving it (env IMSG_HUB_ANSWER_WITHIN_MS, default 9000: OpenClaw gives up at 10000)',
    )
    .option('--send-wait <ms>', 'how long a send waits for its outcome before answering {ok:true, queued:true} (env IMSG_HUB_SEND_WAIT_MS, default 8000)')
    .option('--db <path>', 'accepted for imsg compatibility and ignored (the hub has the messages)')
    .option('-j, --json', 'accepted for imsg compatibility (output is always JSON)')
    .option('-v, --verbose', 'diagnostics on stderr')
    .option('--log-level <level>', 'diagnostics on stderr at this level: silent, error, warn (default), info, debug')
    .action(async (flags: RpcFlags) => {
      const { runFacade } = await import('@imsg-hub/facade');
      const code = await runFacade(flags);
      // Exit once everything written so far has reached the pipe.
      process.stdout.write('', () => process.exit(code));
    });
}
