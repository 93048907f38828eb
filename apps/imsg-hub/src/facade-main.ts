// Entry of `imsg-hub rpc`, `imsg-hub status` and imsg's CLI one-shots (tapback, edit, …), which
// OpenClaw spawns for every probe, send and action. It holds only these commands; the build bundles
// it with everything it imports into one file (scripts/bundle-facade.mjs): loading hundreds of
// module files cost more than all the rest. `rpc` as OpenClaw runs it skips commander entirely.
import { config } from 'zod';
import { fastRpcFlags, registerRpc, runRpc } from './commands/rpc.js';

// Zod compiles a parser for each object schema (new Function) the first time it parses one: worth
// it for a hub's millions of rows, not for a facade's few requests; V8's code cache cannot keep it.
config({ jitless: true });

/** What the full command line needs besides `rpc` (already loaded): commander and the other commands. */
const loadCommands = () => Promise.all([import('commander'), import('./commands/status.js'), import('./commands/imsg-oneshots.js')]);

/** Runs a facade command from `argv` (process.argv shape). */
export async function main(argv: string[]): Promise<void> {
  const rpc = fastRpcFlags(argv);
  if (rpc) return runRpc(rpc);
  const [{ Command }, { registerStatus }, { registerImsgOneShots }] = await loadCommands();
  const program = new Command('imsg-hub').showHelpAfterError('(run imsg-hub --help for every command)');
  registerRpc(program);
  registerStatus(program);
  registerImsgOneShots(program, argv[2] === 'poll' && argv.some((a) => a === '--help' || a === '-h') ? { pollsOffered: await pollsOffered(argv) } : {});
  await program.parseAsync(argv);
}

/**
 * Loads every module `main` may load, and does nothing else (no I/O): the build's code-cache
 * training runs it first, so the cache also holds the setup of the modules its probe does not use.
 */
export async function warm(): Promise<void> {
  await Promise.all([loadCommands(), import('@imsg-hub/facade')]);
}

/** Whether the accounts behind this facade can send polls now (`poll send --help` then mentions `--no-comment`). */
async function pollsOffered(argv: string[]): Promise<boolean> {
  const flag = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
  };
  const { facadeCliStatus } = await import('@imsg-hub/facade');
  const status = await facadeCliStatus({
    account: flag('--account'),
    hubUrl: flag('--hub-url'),
    token: flag('--token'),
    tokenFile: flag('--token-file'),
    ca: flag('--ca'),
    imsgVersion: flag('--imsg-version'),
  });
  return Array.isArray(status['rpc_methods']) && status['rpc_methods'].includes('poll.send');
}
