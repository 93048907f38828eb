import type { Command } from 'commander';
import { runImsgRpc, speaksV1, type SimImsgVersion } from '@imsg-hub/sim';
import { defaultDbPath, positiveInt } from './default-db.js';
import { bridgeOption, imsgVersionOption } from './sim-options.js';

interface RpcFlags {
  db: string;
  world?: string;
  pollMs?: number;
  pace?: string;
  verbose?: boolean;
  logLevel?: string;
  imsgVersion?: string;
  bridge?: string;
  faults?: string;
  receiptMs?: number;
}

export function addRpcCommand(program: Command, played: SimImsgVersion): void {
  program
    .command('rpc')
    .description(
      speaksV1(played)
        ? `Serve imsg ${played} rpc (JSON-RPC 2.0 protocol v1: initialize/status, strict params, three lanes) on stdin/stdout`
        : `Serve imsg ${played} rpc (newline-delimited JSON-RPC 2.0, sequential) on stdin/stdout`,
    )
    .option('--db <path>', 'chat.db to serve', defaultDbPath())
    .option('-j, --json', 'accepted for imsg compatibility (output is always JSON)')
    .option('-v, --verbose', 'diagnostics on stderr')
    .option('--log-level <level>', 'diagnostics on stderr at this level')
    .option('--imsg-version <version>', 'imsg to play: 0.15.10 (default) or 0.9.0; env IMSG_SIM_IMSG_VERSION')
    .option('--bridge <mode>', '0.15: simulated IMCore bridge ready (default) or absent; env IMSG_SIM_BRIDGE')
    .option('--world <path>', 'world file (overrides the one recorded in the db; env IMSG_SIM_WORLD)')
    .option('--poll-ms <n>', 'fallback poll period of watch subscriptions (default 5000, as imsg)', positiveInt('--poll-ms'))
    .option('--pace <pace>', '0.9: rows per watch trigger: imsg (one page of 100, as imsg) or drain (every page); env IMSG_SIM_PACE')
    .option(
      '--receipt-ms <n>',
      '0.15: ms between a send’s pending → sent → delivered states (default 50); env IMSG_SIM_RECEIPT_MS',
      positiveInt('--receipt-ms'),
    )
    .option('--faults <path>', 'TEST ONLY: fault control file (docs/simulator.md); env IMSG_SIM_FAULTS')
    .action(async (flags: RpcFlags) => {
      const level = flags.logLevel ?? (flags.verbose ? 'info' : 'silent');
      // pino only when asked for diagnostics: imsg-sim starts once per imsg process of every test.
      const log = level === 'silent' ? undefined : (await import('@imsg-hub/logger')).createLogger('imsg-sim', { level });
      const receiptEnv = process.env['IMSG_SIM_RECEIPT_MS'];
      const code = await runImsgRpc({
        dbPath: flags.db,
        worldFile: flags.world ?? (process.env['IMSG_SIM_WORLD'] || undefined),
        pollMs: flags.pollMs,
        pace: watchPace(flags.pace ?? process.env['IMSG_SIM_PACE']),
        imsgVersion: imsgVersionOption(flags.imsgVersion),
        bridge: bridgeOption(flags.bridge),
        faultsFile: flags.faults ?? (process.env['IMSG_SIM_FAULTS'] || undefined),
        receiptMs: flags.receiptMs ?? (receiptEnv ? positiveInt('IMSG_SIM_RECEIPT_MS')(receiptEnv) : undefined),
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
