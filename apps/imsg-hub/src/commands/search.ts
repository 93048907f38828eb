import { formatMessage } from '@imsg-hub/hub-client';
import { parseChatRef } from '@imsg-hub/hub-protocol';
import type { Command } from 'commander';
import { type ClientFlags, connectClient, withClientOptions } from '../client-options.js';
import { fail } from '../fail.js';

interface SearchFlags extends ClientFlags {
  account?: string[];
  chat?: string;
  sender?: string;
  fromMe?: boolean;
  since?: string;
  until?: string;
  before?: string;
  limit: string;
  json?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Full-text search over every account the token sees, newest first. */
export function registerSearch(program: Command): void {
  withClientOptions(program.command('search'))
    .description('search the text of every stored message, across accounts, newest first')
    .argument('<words...>', 'words that must all appear (the last also matches as a prefix)')
    .option('--account <name>', 'only this account (repeat for several)', collect)
    .option('--chat <chat>', 'only this chat (and the chats linked with it): <account>:chat_id:<n>')
    .option('--sender <handle>', 'only messages from this phone number or email')
    .option('--from-me', 'only messages your accounts sent')
    .option('--since <iso>', 'only messages at or after this time (ISO 8601)')
    .option('--until <iso>', 'only messages before this time (ISO 8601)')
    .option('--before <id>', 'page: only messages with a hub id below this (the last id printed)')
    .option('--limit <n>', 'how many', '20')
    .option('--json', 'one JSON object per line, then {"next_before": …} when there is more')
    .action(async (words: string[], flags: SearchFlags) => {
      try {
        const chat = flags.chat === undefined ? undefined : parseChatRef(flags.chat);
        if (flags.chat !== undefined && !chat) throw new Error(`"${flags.chat}" is not a chat: write <account>:chat_id:<n> (see \`imsg-hub chats\`)`);
        await using client = await connectClient(flags, 'imsg-hub search');
        const result = await client.call('messages.search', {
          query: words.join(' '),
          limit: Number(flags.limit),
          ...(flags.account ? { accounts: flags.account } : {}),
          ...(chat ? { chat_id: chat.chatId } : {}),
          ...(flags.sender ? { sender: flags.sender } : {}),
          ...(flags.fromMe ? { from_me: true } : {}),
          ...(flags.since ? { since: flags.since } : {}),
          ...(flags.until ? { until: flags.until } : {}),
          ...(flags.before ? { before: Number(flags.before) } : {}),
        });
        const out = (line: string) => process.stdout.write(`${line}\n`);
        for (const m of result.messages) out(flags.json ? JSON.stringify(m) : `#${m.id} ${formatMessage(m)}`);
        if (result.next_before !== undefined) {
          out(flags.json ? JSON.stringify({ next_before: result.next_before }) : `(more: --before ${result.next_before})`);
        }
      } catch (err) {
        fail(err);
      }
    });
}
