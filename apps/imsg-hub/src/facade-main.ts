// Entry of `imsg-hub rpc`, `imsg-hub status` and imsg's CLI one-shots (tapback, edit, …), which
// OpenClaw spawns for every probe, send and action. It holds only these commands; the build bundles
// it with everything it imports into one file (scripts/bundle-facade.mjs): loading hundreds of
// module files cost more than all the rest. `rpc` as OpenClaw runs it skips commander entirely.
import { fastRpcFlags, runRpc } from './commands/rpc.js';

/** Runs a facade command from `argv` (process.argv shape). */
export async function main(argv: string[]): Promise<void> {
  const rpc = fastRpcFlags(argv);
  if (rpc) return runRpc(rpc);
  const [{ Command }, { registerRpc }, { registerStatus }, { registerImsgOneShots }] = await Promise.all([
    import('commander'),
    import('./commands/rpc.js'),
    import('./commands/status.js'),
    import('./commands/imsg-oneshots.js'),
  ]);
  const program = new Command('imsg-hub').showHelpAfterError('(run imsg-hub --help for every command)');
  registerRpc(program);
  registerStatus(program);
  registerImsgOneShots(program);
  await program.parseAsync(argv);
}
