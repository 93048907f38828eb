// Entry of `imsg-hub rpc` and `imsg-hub status`, which OpenClaw spawns for every probe and every
// send. It holds only these two commands; the build bundles it with everything it imports into one
// file (scripts/bundle-facade.mjs): loading hundreds of module files cost more than all the rest.
import { Command } from 'commander';
import { registerRpc } from './commands/rpc.js';
import { registerStatus } from './commands/status.js';

/** Runs `imsg-hub rpc …` or `imsg-hub status …` from `argv` (process.argv shape). */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('imsg-hub').showHelpAfterError('(run imsg-hub --help for every command)');
  registerRpc(program);
  registerStatus(program);
  await program.parseAsync(argv);
}
