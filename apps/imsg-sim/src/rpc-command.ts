import type { Command } from 'commander';
import { runImsgRpc } from '@imsg-hub/sim';
import { defaultDbPath, positiveInt } from './default-db.js';

interface RpcFlags {
  db: string;
  world?: string;
  pollMs?: number;
  pace?: string;
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
    .option('--poll-ms <n>', 'fallback poll period of watch subscriptions (default 5000, as imsg)', positiveInt('--poll-ms'))
    .option('--pace <pace>', 'rows per watch trigger: imsg (one page of 100, as imsg) or drain (every page); env IMSG_SIM_PACE')
    .action(async (flags: RpcFlags) => {
      const level = flags.logLevel ?? (flags.verbose ? 'info' : 'silent');
      // pino only when asked for diagnostics: imsg-sim starts once per imsg process of every test.
      const log = level === 'silent' ? undefined : (await import('@imsg-hub/logger')).createLogger('imsg-sim', { level });
      const code = await runImsgRpc({
        dbPath: flags.db,
        worldFile: flags.world ?? (process.env['IMSG_SIM_WORLD'] || undefined),
        pollMs: flags.pollMs,
        pace: watchPace(flags.pace ?? process.env['IMSG_SIM_PACE']),
        input: process.stdin,
        output: process.stdout,
        ...(log ? { log } : {}),
      });
      // Exit once everything written so far has reached the pipe.
      process.stdout.write('', () => process.exit(code));
    });
}

function watchPace(value: string | undefined): 'imsg' | 'drain' | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'imsg' || value === 'drain') return value;
  process.stderr.write(`imsg-sim: --pace must be imsg or drain, not "${value}"\n`);
  process.exit(2);
}
