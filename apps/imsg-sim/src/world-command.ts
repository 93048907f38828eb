import type { Command } from 'commander';
import { SimWorld } from '@imsg-hub/sim';

export function addWorldCommand(program: Command): void {
  const world = program.command('world').description('Manage a world of simulated accounts');
  world
    .command('init')
    .description("Create every account's chat.db named in the world file")
    .requiredOption('--world <path>', 'world.json')
    .option('-j, --json', 'print the accounts as JSON')
    .action((flags: { world: string; json?: boolean }) => {
      const w = SimWorld.open(flags.world, { create: true });
      try {
        for (const a of w.accounts) {
          process.stdout.write(flags.json ? JSON.stringify({ account: a.name, db: a.dbPath, handles: a.handles }) + '\n' : `${a.name}: ${a.dbPath}\n`);
        }
      } finally {
        w.close();
      }
    });
}
