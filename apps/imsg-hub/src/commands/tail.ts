import type { Command } from 'commander';
import { connectClient, withClientOptions, type ClientFlags } from '../client-options.js';
import { fail } from '../fail.js';
import { formatMessage, formatSend, formatTyping } from '@imsg-hub/hub-client';
import type { SendOutcome, TypingNotification } from '@imsg-hub/hub-protocol';

export function registerTail(program: Command): void {
  withClientOptions(program.command('tail'))
    .description('follow the merged stream of every account (Ctrl-C to stop)')
    .option('--since <id>', 'replay every message after this hub id first (0: everything)')
    .option('--account <names>', 'only these accounts (comma-separated)')
    .option('--json', 'one JSON object per line')
    .option('--no-merged', "show each account's copy of a shared message")
    .option('--count <n>', 'stop after n messages')
    .option('--sends', 'also show sends and actions as they change state (receipts included)')
    .option('--typing', 'also show typing indicators (accounts whose imsg streams bridge events)')
    .action(
      async (flags: ClientFlags & { since?: string; account?: string; json?: boolean; merged: boolean; count?: string; sends?: boolean; typing?: boolean }) => {
        try {
          const client = await connectClient(flags, 'imsg-hub tail', true);
          const limit = flags.count ? Number(flags.count) : Infinity;
          const since = flags.since !== undefined ? Number(flags.since) : undefined;
          const start = client.hello.seq;
          const backlog = since !== undefined ? Math.max(0, start - since) : 0;
          let seen = 0;
          let stopping = false;
          let lastProgress = 0;
          const done = new Promise<void>((resolve) => {
            void client.watch(
              {
                ...(since !== undefined ? { since } : {}),
                ...(flags.account ? { accounts: flags.account.split(',').map((a) => a.trim()) } : {}),
                merged: flags.merged,
                ...(flags.sends ? { include_sends: true } : {}),
                ...(flags.typing ? { include_typing: true } : {}),
              },
              (m) => {
                seen += 1;
                process.stdout.write((flags.json ? JSON.stringify(m) : formatMessage(m)) + '\n');
                // Catching up on a large backlog: say how far along we are, on stderr.
                if (backlog > 1000 && m.id <= start && Date.now() - lastProgress > 1000) {
                  lastProgress = Date.now();
                  process.stderr.write(`catching up: ${m.id - (since ?? 0)}/${backlog} (${Math.round(((m.id - (since ?? 0)) / backlog) * 100)}%)\n`);
                }
                if (seen >= limit) resolve();
              },
            );
            client.on('send.status', (outcome: SendOutcome) => {
              process.stdout.write((flags.json ? JSON.stringify({ send_status: outcome }) : `  ${formatSend(outcome)}`) + '\n');
            });
            client.on('typing', (t: TypingNotification) => {
              process.stdout.write((flags.json ? JSON.stringify({ typing: t }) : `  ${formatTyping(t)}`) + '\n');
            });
            client.on('disconnect', () => stopping || process.stderr.write('imsg-hub tail: hub connection lost; reconnecting…\n'));
            client.on('reconnect', () => process.stderr.write('imsg-hub tail: reconnected; resuming where we left off\n'));
            client.on('error', (err: Error) => fail(err)); // the hub refused the token on reconnect
            process.once('SIGINT', () => resolve());
            process.once('SIGTERM', () => resolve());
          });
          await done;
          stopping = true;
          await client.close();
          // A pipe can still hold lines: exit only once stdout has taken them all.
          process.stdout.write('', () => process.exit(0));
        } catch (err) {
          fail(err);
        }
      },
    );
}
