import type { Command } from 'commander';
import { type ClientFlags, connectClient, withClientOptions } from '../client-options.js';
import { fail } from '../fail.js';

/** `imsg-hub check <handle>`: which of your identities can reach a handle by iMessage. */
export function registerCheck(program: Command): void {
  withClientOptions(program.command('check'))
    .description('ask every account’s imsg whether it can reach a phone number or email by iMessage')
    .argument('<handle>', 'a phone number (any format) or an email')
    .option('--json', 'print the answer as JSON')
    .action(async (handle: string, flags: ClientFlags & { json?: boolean }) => {
      try {
        await using client = await connectClient(flags, 'imsg-hub check');
        const r = await client.call('handles.check', { handle });
        if (flags.json) {
          process.stdout.write(`${JSON.stringify(r)}\n`);
          return;
        }
        for (const a of r.accounts) {
          const verdict = a.available === undefined ? `unknown (${a.error})` : a.available ? 'reachable by iMessage' : 'not on iMessage';
          process.stdout.write(`${a.account.padEnd(12)} ${verdict}\n`);
        }
      } catch (err) {
        fail(err);
      }
    });
}
