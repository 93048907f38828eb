import type { Command } from 'commander';

// The imsg-hub CLI. Each command loads only its own module. `rpc`, `status` and imsg's one-shots
// (spawned by OpenClaw for every probe, send and action) start from the facade's bundle instead
// (launch.cts) and reach this only for `--help` of every command.

type Register = (program: Command) => void;

/** Every command: the names it registers and how to load its module. */
const COMMANDS: [names: string[], load: () => Promise<Register>][] = [
  [['serve'], async () => (await import('./commands/serve.js')).registerServe],
  [['token'], async () => (await import('./commands/token.js')).registerToken],
  [['accounts', 'chats', 'history'], async () => (await import('./commands/read.js')).registerReads],
  [['tail'], async () => (await import('./commands/tail.js')).registerTail],
  [['search'], async () => (await import('./commands/search.js')).registerSearch],
  [['check'], async () => (await import('./commands/check.js')).registerCheck],
  [['react', 'edit', 'unsend'], async () => (await import('./commands/actions.js')).registerActions],
  [['send'], async () => (await import('./commands/send.js')).registerSend],
  [['group'], async () => (await import('./commands/group.js')).registerGroup],
  [['demo'], async () => (await import('./commands/demo.js')).registerDemo],
  [['install-systemd'], async () => (await import('./commands/install-systemd.js')).registerInstallSystemd],
  [['rpc'], async () => (await import('./commands/rpc.js')).registerRpc],
  [['status'], async () => (await import('./commands/status.js')).registerStatus],
  [['wrapper'], async () => (await import('./commands/wrapper.js')).registerWrapper],
  [['migrate'], async () => (await import('./commands/migrate.js')).registerMigrate],
];

/** Runs the CLI command `argv` (process.argv shape) names. */
export async function runCli(argv: string[]): Promise<void> {
  // Just the named command's module; all of them for help, --version and unknown commands.
  const name = argv.slice(2).find((a) => !a.startsWith('-'));
  const named = COMMANDS.filter(([names]) => name !== undefined && names.includes(name));
  if (name !== undefined && name !== 'help' && named.length === 0) {
    // Even with --help: imsg clients probe subcommands (`send-rich --help`) and must see a failure.
    process.stderr.write(`error: unknown command '${name}'\n(run imsg-hub --help for every command)\n`);
    process.exit(1);
  }
  const [{ Command }, { HUB_VERSION }] = await Promise.all([import('commander'), import('@imsg-hub/hub')]);
  const program = new Command('imsg-hub')
    .description('every Apple ID you own behind one hub')
    .version(process.env['IMSG_VERSION'] || process.env['IMSG_HUB_VERSION'] || HUB_VERSION, '-V, --version')
    .showHelpAfterError('(run imsg-hub --help for every command)');
  for (const [, load] of named.length > 0 ? named : COMMANDS) (await load())(program);
  await program.parseAsync(argv);
}
