import type { Command } from 'commander';
import { chatCliLines, createChatDbFile, statusPayload } from '@imsg-hub/sim';
import { defaultDbPath, positiveInt } from './default-db.js';

export function addDbCommands(program: Command): void {
  program
    .command('status')
    .description('Print what this imsg answers (imsg status)')
    .option('-j, --json', 'one JSON line')
    .action((flags: { json?: boolean }) => {
      const status = statusPayload();
      if (flags.json) {
        process.stdout.write(JSON.stringify(status) + '\n');
        return;
      }
      process.stdout.write(`imsg-sim ${status['version']}: basic features; rpc methods ${(status['rpc_methods'] as string[]).join(', ')}\n`);
    });

  program
    .command('chats')
    .description('List chats, most recent first (imsg chats)')
    .option('--db <path>', 'chat.db', defaultDbPath())
    .option('--limit <n>', 'how many', positiveInt('--limit'), 20)
    .option('-j, --json', 'one JSON object per line')
    .action((flags: { db: string; limit: number; json?: boolean }) => {
      for (const line of chatCliLines(flags.db, flags.limit, flags.json === true)) process.stdout.write(line + '\n');
    });

  program
    .command('init')
    .description('Create an empty chat.db (Messages schema, WAL mode)')
    .requiredOption('--db <path>', 'file to create')
    .option('--handle <handle...>', "this account's own handles (phone or email)")
    .option('--force', 'replace an existing file')
    .action((flags: { db: string; handle?: string[]; force?: boolean }) => {
      createChatDbFile(flags.db, { handles: flags.handle ?? [], overwrite: flags.force === true });
      process.stdout.write(`created ${flags.db}\n`);
    });
}
