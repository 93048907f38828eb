import { TAPBACK_KINDS } from '@imsg-hub/hub-protocol';
import type { Command } from 'commander';
import { withClientOptions } from '../client-options.js';
import { actionFields, type ActionRunFlags, runAction, withActionRunOptions } from './action-run.js';

interface ActionFlags extends ActionRunFlags {
  part?: string;
}

/** `<id>` is a hub message id (digits) or a message guid. */
export function messageRef(message: string): { message_id: number } | { guid: string } {
  return /^\d+$/.test(message) ? { message_id: Number(message) } : { guid: message };
}

function withActionOptions(cmd: Command): Command {
  return withActionRunOptions(
    withClientOptions(cmd).argument('<message>', 'the message: its hub id (as `imsg-hub history --json` prints it) or its guid'),
    'act through this account (it must hold the message)',
  ).option('--part <n>', 'which part of a multi-part message (0 = the first)');
}

const common = (flags: ActionFlags) => ({ ...actionFields(flags), ...(flags.part !== undefined ? { part_index: Number(flags.part) } : {}) });

/** react, edit, unsend: actions on a message, through an account that holds it. */
export function registerActions(program: Command): void {
  withActionOptions(program.command('react'))
    .description('add (or --remove) a tapback: a kind, or any emoji where the account’s imsg allows it')
    .argument('<reaction>', `${TAPBACK_KINDS.join(' | ')}, or an emoji`)
    .option('--remove', 'take the tapback away')
    .action((message: string, reaction: string, flags: ActionFlags & { remove?: boolean }) =>
      runAction(flags, 'imsg-hub react', (client) =>
        client.call('message.react', {
          ...messageRef(message),
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
      runAction(flags, 'imsg-hub edit', (client) => client.call('message.edit', { ...messageRef(message), text, ...common(flags) })),
    );
  withActionOptions(program.command('unsend'))
    .description('retract a message one of your accounts sent')
    .action((message: string, flags: ActionFlags) =>
      runAction(flags, 'imsg-hub unsend', (client) => client.call('message.unsend', { ...messageRef(message), ...common(flags) })),
    );
}
