import type { Command } from 'commander';
import { withHubFlags, type FacadeCommandFlags } from './hub-flags.js';

/**
 * `imsg-hub rpc`: imsg's JSON-RPC on stdin/stdout, backed by the hub, so OpenClaw and any other
 * imsg client can use `imsg-hub` (through a one-line wrapper) wherever it would run `imsg`.
 */
export function registerRpc(program: Command): void {
  withHubFlags(
    program
      .command('rpc')
      .description('speak imsg’s JSON-RPC (imsg 0.15, protocol v1) on stdin/stdout, backed by the hub (for OpenClaw and other imsg clients)'),
  )
    .option('--cache-dir <dir>', 'where inbound attachments are cached (env IMSG_HUB_CACHE_DIR, default $XDG_CACHE_HOME/imsg-hub/attachments)')
    .option(
      '--answer-within <ms>',
      'answer every request within this long of receiving it (env IMSG_HUB_ANSWER_WITHIN_MS, default 9000: OpenClaw gives up at 10000)',
    )
    .option('--send-wait <ms>', 'how long a send waits for its outcome within that (env IMSG_HUB_SEND_WAIT_MS, default 8000)')
    .action(async (flags: FacadeCommandFlags) => {
      const { runFacade } = await import('@imsg-hub/facade');
      const code = await runFacade(flags);
      // Exit once everything written so far has reached the pipe.
      process.stdout.write('', () => process.exit(code));
    });
}
