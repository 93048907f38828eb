import { parseChatRef } from '@imsg-hub/hub-protocol';
import type { Command } from 'commander';
import { connectClient, withClientOptions, type ClientFlags } from '../client-options.js';
import { fail } from '../fail.js';
import { formatAccount, formatChat, formatMessage } from '@imsg-hub/hub-client';

type Json = { json?: boolean };
const out = (line: string) => process.stdout.write(line + '\n');

/** accounts, chats, history: reads for people (and --json for scripts). */
export function registerReads(program: Command): void {
  withClientOptions(program.command('accounts'))
    .description('every account with its agent, imsg state, cursor and lag')
    .option('--json', 'one JSON object per line')
    .action(async (flags: ClientFlags & Json) => {
      try {
        await using client = await connectClient(flags, 'imsg-hub accounts');
        const { accounts } = await client.call('accounts.list', {});
        for (const a of accounts) out(flags.json ? JSON.stringify(a) : formatAccount(a));
      } catch (err) {
        fail(err);
      }
    });

  withClientOptions(program.command('chats'))
    .description('chats of every account, merged (a shared group once), newest first')
    .option('--account <name>', "only this account's chats (not merged)")
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'one JSON object per line')
    .action(async (flags: ClientFlags & Json & { account?: string; limit: string }) => {
      try {
        await using client = await connectClient(flags, 'imsg-hub chats');
        const { chats } = await client.call('chats.list', { limit: Number(flags.limit), ...(flags.account ? { account: flags.account } : {}) });
        for (const c of chats) out(flags.json ? JSON.stringify(c) : formatChat(c));
      } catch (err) {
        fail(err);
      }
    });

  withClientOptions(program.command('history'))
    .description('messages of one chat, oldest first on screen')
    .argument('<chat>', 'chat as <account>:chat_id:<n> or chat_id:<n>')
    .option('--limit <n>', 'how many', '50')
    .option('--json', 'one JSON object per line')
    .action(async (ref: string, flags: ClientFlags & Json & { limit: string }) => {
      try {
        const chat = parseChatRef(ref);
        if (!chat) throw new Error(`"${ref}" is not a chat: write <account>:chat_id:<n> (see \`imsg-hub chats\`)`);
        await using client = await connectClient(flags, 'imsg-hub history');
        const { messages } = await client.call('messages.history', { chat_id: chat.chatId, limit: Number(flags.limit) });
        for (const m of messages.reverse()) out(flags.json ? JSON.stringify(m) : formatMessage(m));
      } catch (err) {
        fail(err);
      }
    });
}
