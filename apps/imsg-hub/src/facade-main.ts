// Entry of `imsg-hub rpc`, `imsg-hub status` and imsg's CLI one-shots (tapback, edit, …), which
// OpenClaw spawns for every probe, send and action. It holds only these commands; the build bundles
// it with everything it imports into one file (scripts/bundle-facade.mjs): loading hundreds of
// module files cost more than all the rest.
import { Command } from 'commander';
import { registerImsgOneShots } from './commands/imsg-oneshots.js';
import { registerRpc } from './commands/rpc.js';
import { registerStatus } from './commands/status.js';

/** Runs a facade command from `argv` (process.argv shape). */
export async function main(argv: string[]): Promise<void> {
  const program = new Command('imsg-hub').showHelpAfterError('(run imsg-hub --help for every command)');
  registerRpc(program);
  registerStatus(program);
  registerImsgOneShots(program);
  await program.parseAsync(argv);
}
