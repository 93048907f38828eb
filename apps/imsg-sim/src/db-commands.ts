import type { Command } from 'commander';
import { chatCliLines, createChatDbFile, SimBridge, statusPayload } from '@imsg-hub/sim';
import { defaultDbPath, positiveInt } from './default-db.js';
import { bridgeOption, imsgVersionOption } from './sim-options.js';

export function addDbCommands(program: Command): void {
  program
    .command('status')
    .description('Print what this imsg answers (imsg status)')
    .option('-j, --json', 'one JSON line')
    .option('--imsg-version <version>', 'imsg to play: 0.15.10 (default) or 0.9.0; env IMSG_SIM_IMSG_VERSION')
    .option('--bridge <mode>', '0.15: simulated IMCore bridge ready (default) or absent; env IMSG_SIM_BRIDGE')
    .action((flags: { json?: boolean; imsgVersion?: string; bridge?: string }) => {
      const status = statusPayload(process.env, imsgVersionOption(flags.imsgVersion), new SimBridge(bridgeOption(flags.bridge)));
      if (flags.json) {
        process.stdout.write(JSON.stringify(status) + '\n');
        return;
      }
      const bridge = status.advanced_features ? `IMCore bridge v${status.bridge_version}` : 'no IMCore bridge';
      process.stdout.write(`imsg-sim ${status.version}: basic features; ${bridge}; rpc methods ${status.rpc_methods.join(', ')}\n`);
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
