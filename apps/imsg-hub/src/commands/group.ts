import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { withClientOptions } from '../client-options.js';
import { actionFields, type ActionRunFlags, runAction, withActionRunOptions } from './action-run.js';

/** The subcommands of `imsg-hub group` (the rest of `group` is imsg's one-shot, `group --chat-id <n>`). */
export const GROUP_SUBCOMMANDS = ['rename', 'add', 'remove', 'leave', 'icon'] as const;

/** `<chat>`: a hub chat id (`12`, `chat_id:12`, `alice:chat_id:12`) or a chat guid. */
export function chatRef(chat: string): { chat_id: number } | { chat_guid: string } {
  const id = /^(?:(?:[^:\s]+:)?chat_id:)?(\d+)$/.exec(chat);
  if (id) return { chat_id: Number(id[1]) };
  return { chat_guid: chat.replace(/^chat_guid:/, '') };
}

const CHAT = 'the group: its hub chat id (12, chat_id:12 or alice:chat_id:12, as `imsg-hub chats` prints it) or its chat guid';

function sub(group: Command, name: string, description: string): Command {
  return withActionRunOptions(
    withClientOptions(group.command(name).description(description)).argument('<chat>', CHAT),
    'act through this account (it must be in the group)',
  );
}

/** `imsg-hub group rename|add|remove|leave|icon`: group management through an account in the group. */
export function registerGroup(program: Command): void {
  const group = program.command('group').description('manage a group chat through one of your accounts in it: rename, add, remove, leave, icon');
  sub(group, 'rename', 'rename the group (an empty name clears it)')
    .argument('<name>', 'the new name')
    .action((chat: string, name: string, flags: ActionRunFlags) =>
      runAction(flags, 'imsg-hub group rename', (c) => c.call('group.rename', { ...chatRef(chat), name, ...actionFields(flags) })),
    );
  sub(group, 'add', 'add a member (phone number or email)')
    .argument('<address>', 'phone number or email')
    .action((chat: string, address: string, flags: ActionRunFlags) =>
      runAction(flags, 'imsg-hub group add', (c) => c.call('group.add_member', { ...chatRef(chat), address, ...actionFields(flags) })),
    );
  sub(group, 'remove', 'remove a member (phone number or email)')
    .argument('<address>', 'phone number or email')
    .action((chat: string, address: string, flags: ActionRunFlags) =>
      runAction(flags, 'imsg-hub group remove', (c) => c.call('group.remove_member', { ...chatRef(chat), address, ...actionFields(flags) })),
    );
  sub(group, 'leave', 'the acting account leaves the group').action((chat: string, flags: ActionRunFlags) =>
    runAction(flags, 'imsg-hub group leave', (c) => c.call('group.leave', { ...chatRef(chat), ...actionFields(flags) })),
  );
  sub(group, 'icon', 'set the group photo from an image file, or --clear it')
    .argument('[file]', 'an image file (uploaded through the hub)')
    .option('--clear', 'remove the group photo')
    .action((chat: string, file: string | undefined, flags: ActionRunFlags & { clear?: boolean }) =>
      runAction(flags, 'imsg-hub group icon', async (c) => {
        if (!file && !flags.clear) throw new Error('give an image file, or --clear to remove the photo');
        if (file && flags.clear) throw new Error('give an image file or --clear, not both');
        const photo = file ? { sha256: (await c.upload(await readFile(file), basename(file))).sha256, name: basename(file) } : undefined;
        return c.call('group.set_icon', { ...chatRef(chat), ...(photo ? { file: photo } : {}), ...actionFields(flags) });
      }),
    );
}
