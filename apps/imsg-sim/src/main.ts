import { Command, CommanderError } from 'commander';
import { simVersion } from '@imsg-hub/sim';
import { addDbCommands } from './db-commands.js';
import { addInjectCommand } from './inject-command.js';
import { addRpcCommand } from './rpc-command.js';
import { imsgVersionOption, scanArgv } from './sim-options.js';
import { addWorldCommand } from './world-command.js';

// imsg-sim: the `imsg` CLI surface over simulated chat.dbs. `rpc` speaks on stdio; logs go to stderr.
try {
  const scanned = scanArgv(process.argv.slice(2));
  const played = imsgVersionOption(scanned.imsgVersion);
  if (scanned.version) {
    // imsg answers --version / -V wherever it appears, with the version it is (IMSG_VERSION overrides).
    process.stdout.write(simVersion(process.env, played) + '\n');
    process.exit(0);
  }
  const program = new Command('imsg-sim')
    .description(`Simulated imsg ${played}: \`imsg rpc\` and friends over SQLite files in Apple chat.db schema`)
    .exitOverride()
    .showHelpAfterError(false);
  program.on('command:*', (operands: string[]) => {
    process.stderr.write(`Error: unknown command "${operands[0]}" for "imsg-sim"\n`);
    process.exit(1);
  });
  addRpcCommand(program, played);
  addDbCommands(program);
  addInjectCommand(program);
  addWorldCommand(program);
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) process.exit(err.exitCode);
  process.stderr.write(`imsg-sim: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
