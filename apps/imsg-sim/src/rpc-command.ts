import type { Command } from 'commander';
import { runImsgRpc } from '@imsg-hub/sim';
import { defaultDbPath, positiveInt } from './default-db.js';

interface RpcFlags {
  db: string;
  world?: string;
  pollMs?: number;
  verbose?: boolean;
  logLevel?: string;
}

export function addRpcCommand(program: Command): void {
  program
    .command('rpc')
    .description('Serve imsg rpc (newline-delimited JSON-RPC 2.0) on stdin/stdout')
    .option('--db <path>', 'chat.db to serve', defaultDbPath())
    .option('-j, --json', 'accepted for imsg compatibility (output is always JSON)')
    .option('-v, --verbose', 'diagnostics on stderr')
    .option('--log-level <level>', 'diagnostics on stderr at this level')
    .option('--world <path>', 'world file (overrides the one recorded in the db; env IMSG_SIM_WORLD)')
    .option('--poll-ms <n>', 'fallback poll period of watch subscriptions', positiveInt('--poll-ms'), 1000)
    .action(async (flags: RpcFlags) => {
      const verbose = flags.verbose === true || (flags.logLevel !== undefined && flags.logLevel !== 'silent');
      const code = await runImsgRpc({
        dbPath: flags.db,
        worldFile: flags.world ?? (process.env['IMSG_SIM_WORLD'] || undefined),
        pollMs: flags.pollMs,
        input: process.stdin,
        output: process.stdout,
        ...(verbose ? { log: (record) => process.stderr.write(JSON.stringify({ name: 'imsg-sim', ...record }) + '\n') } : {}),
      });
      // Exit once everything written so far has reached the pipe.
      process.stdout.write('', () => process.exit(code));
    });
}
