import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { fail } from '../fail.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole thing on this machine: a hub, three simulated Apple IDs, their agents, a conversation and replies')
    .option('--dir <dir>', 'state directory (wiped first, kept afterwards)', '.state/demo')
    .option('--ssh <mode>', 'reach one account over SSH: auto | yes | no', 'auto')
    .option('--pace <ms>', 'pause between conversation steps', '350')
    .option('--stay', 'keep everything running afterwards, print what to try next; Ctrl-C stops it')
    .action(async (flags: { dir: string; ssh: 'auto' | 'yes' | 'no'; pace: string; stay?: boolean }) => {
      const { runDemo } = await import('@imsg-hub/demo');
      const abort = new AbortController();
      const stop = () => {
        process.stdout.write('\n▸ Stopping: closing agents, hub and simulated Macs…\n');
        abort.abort();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        await runDemo({
          dir: resolve(flags.dir),
          ssh: flags.ssh,
          paceMs: Number(flags.pace),
          out: (l) => process.stdout.write(l + '\n'),
          signal: abort.signal,
          stay: flags.stay
            ? {
                cli: `node ${resolve(dirname(process.argv[1]!), '../bin/imsg-hub.js')}`,
                simCli: `node ${resolve(dirname(process.argv[1]!), '../../imsg-sim/bin/imsg-sim.js')}`,
              }
            : undefined,
        });
        const code = abort.signal.aborted && !flags.stay ? 130 : 0;
        process.stdout.write('', () => process.exit(code));
      } catch (err) {
        if (abort.signal.aborted) process.exit(130); // interrupted mid-step: already cleaned up
        fail(err);
      }
    });
}
