import type { Command } from 'commander';
import { withHubFlags, type FacadeCommandFlags } from './hub-flags.js';

const RPC_DESCRIPTION = 'speak imsg’s JSON-RPC (imsg 0.15, protocol v1) on stdin/stdout, backed by the hub (for OpenClaw and other imsg clients)';

/** Runs the facade until stdin ends, then exits once everything written has reached the pipe. */
async function serve(flags: FacadeCommandFlags): Promise<void> {
  const { runFacade } = await import('@imsg-hub/facade');
  const code = await runFacade(flags);
  process.stdout.write('', () => process.exit(code));
}

/**
 * `imsg-hub rpc`: imsg's JSON-RPC on stdin/stdout, backed by the hub, so OpenClaw and any other
 * imsg client can use `imsg-hub` (through a one-line wrapper) wherever it would run `imsg`.
 */
export function registerRpc(program: Command): void {
  withHubFlags(program.command('rpc').description(RPC_DESCRIPTION))
    .option('--cache-dir <dir>', 'where inbound attachments are cached (env IMSG_HUB_CACHE_DIR, default $XDG_CACHE_HOME/imsg-hub/attachments)')
    .option(
      '--answer-within <ms>',
      'answer every request within this long of receiving it (env IMSG_HUB_ANSWER_WITHIN_MS, default 9000: OpenClaw gives up at 10000)',
    )
    .option('--send-wait <ms>', 'how long a send waits for its outcome within that (env IMSG_HUB_SEND_WAIT_MS, default 8000)')
    .action(serve);
}

/** `--flag <value>` options of `rpc`, by the key commander gives them. */
const VALUE_FLAGS: Record<string, keyof FacadeCommandFlags | 'db'> = {
  '--account': 'account',
  '--hub-url': 'hubUrl',
  '--token': 'token',
  '--token-file': 'tokenFile',
  '--ca': 'ca',
  '--imsg-version': 'imsgVersion',
  '--db': 'db',
  '--log-level': 'logLevel',
  '--cache-dir': 'cacheDir',
  '--answer-within': 'answerWithin',
  '--send-wait': 'sendWait',
};

/**
 * `rpc` as OpenClaw runs it (`rpc --json [--db <path>]`, plus any of the flags above), read without
 * loading commander (which costs a child_process load on every spawn). Anything else — `--help`, an
 * unknown or malformed flag — is undefined: the full parser answers it.
 */
export function fastRpcFlags(argv: readonly string[]): FacadeCommandFlags | undefined {
  if (argv[2] !== 'rpc') return undefined;
  const flags: FacadeCommandFlags & { db?: string } = {};
  const args = argv.slice(3);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json' || arg === '-j') flags.json = true;
    else if (arg === '--verbose' || arg === '-v') flags.verbose = true;
    else {
      const eq = arg.indexOf('=');
      const name = eq > 0 ? arg.slice(0, eq) : arg;
      const key = VALUE_FLAGS[name];
      const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
      if (!key || value === undefined || (eq < 0 && value.startsWith('-'))) return undefined;
      const previous = (flags as Record<string, string>)[key];
      // A repeated --hub-url adds hubs (as commander's parser does); any other repeat wins.
      (flags as Record<string, string>)[key] = key === 'hubUrl' && previous !== undefined ? `${previous},${value}` : value;
    }
  }
  return flags;
}

/** Runs `rpc` from pre-parsed flags. */
export function runRpc(flags: FacadeCommandFlags): Promise<void> {
  return serve(flags);
}
