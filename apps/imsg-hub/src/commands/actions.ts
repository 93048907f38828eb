import { formatSend } from '@imsg-hub/hub-client';
import { TAPBACK_KINDS } from '@imsg-hub/hub-protocol';
import type { Command } from 'commander';
import { type ClientFlags, connectClient, withClientOptions } from '../client-options.js';
import { fail } from '../fail.js';

interface ActionFlags extends ClientFlags {
  as?: string;
  part?: string;
  key?: string;
  wait: string;
  json?: boolean;
}

/** `<id>` is a hub message id (digits) or a message guid. */
function target(message: string): { message_id: number } | { guid: string } {
  return /^\d+$/.test(message) ? { message_id: Number(message) } : { guid: message };
}

function withActionOptions(cmd: Command): Command {
  return withClientOptions(cmd)
    .argument('<message>', 'the message: its hub id (as `imsg-hub history --json` prints it) or its guid')
    .option('--as <account>', 'act through this account (it must hold the message)')
    .option('--part <n>', 'which part of a multi-part message (0 = the first)')
    .option('--key <key>', 'idempotency key: the same key twice never acts twice')
    .option('--wait <ms>', 'how long to wait for the outcome', '15000')
    .option('--json', 'print the outcome as JSON');
}

const common = (flags: ActionFlags) => ({
  ...(flags.as ? { account: flags.as } : {}),
  ...(flags.part !== undefined ? { part_index: Number(flags.part) } : {}),
  ...(flags.key ? { idempotency_key: flags.key } : {}),
  wait_ms: Number(flags.wait),
});

async function run(flags: ActionFlags, name: string, call: (client: Awaited<ReturnType<typeof connectClient>>) => Promise<Parameters<typeof formatSend>[0]>) {
  try {
    await using client = await connectClient(flags, name);
    const outcome = await call(client);
    process.stdout.write(`${flags.json ? JSON.stringify(outcome) : formatSend(outcome)}\n`);
    if (outcome.state === 'failed' || outcome.state === 'expired') process.exitCode = 1;
  } catch (err) {
    fail(err);
  }
}

/** react, edit, unsend: actions on a message, through an account that holds it. */
export function registerActions(program: Command): void {
  withActionOptions(program.command('react'))
    .description('add (or --remove) a tapback: a kind, or any emoji where the account’s imsg allows it')
    .argument('<reaction>', `${TAPBACK_KINDS.join(' | ')}, or an emoji`)
    .option('--remove', 'take the tapback away')
    .action((message: string, reaction: string, flags: ActionFlags & { remove?: boolean }) =>
      run(flags, 'imsg-hub react', (client) =>
        client.call('message.react', {
          ...target(message),
          ...((TAPBACK_KINDS as readonly string[]).includes(reaction) ? { kind: reaction as (typeof TAPBACK_KINDS)[number] } : { emoji: reaction }),
          ...(flags.remove ? { remove: true } : {}),
          ...common(flags),
        }),
      ),
    );
  withActionOptions(program.command('edit'))
    .description('change the text of a message one of your accounts sent')
    .argument('<text>', 'the new text')
    .action((message: string, text: string, flags: ActionFlags) =>
      run(flags, 'imsg-hub edit', (client) => client.call('message.edit', { ...target(message), text, ...common(flags) })),
    );
  withActionOptions(program.command('unsend'))
    .description('retract a message one of your accounts sent')
    .action((message: string, flags: ActionFlags) =>
      run(flags, 'imsg-hub unsend', (client) => client.call('message.unsend', { ...target(message), ...common(flags) })),
    );
}
