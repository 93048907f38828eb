import type { Command } from 'commander';
import { ReactionTypeSchema } from '@imsg-hub/imsg-protocol';
import { SimWorld, type InjectSpec } from '@imsg-hub/sim';

interface InjectFlags {
  db?: string;
  world?: string;
  account?: string;
  from: string;
  to?: string;
  text?: string;
  file?: string;
  groupGuid?: string;
  groupName?: string;
  member?: string[];
  group?: boolean;
  reaction?: string;
  target?: string;
  remove?: boolean;
  emoji?: string;
  replyTo?: string;
  date?: string;
  sms?: boolean;
  guid?: string;
  json?: boolean;
}

export function addInjectCommand(program: Command): void {
  program
    .command('inject')
    .description('Write an incoming message as Messages would on receipt')
    .option('--db <path>', 'receiving chat.db')
    .option('--world <path>', 'world file (instead of --db)')
    .option('--account <name>', 'receiving account in the world')
    .requiredOption('--from <handle>', 'sender handle')
    .option('--to <handle>', 'receiving handle (destination_caller_id)')
    .option('--text <text>', 'message text')
    .option('--file <path>', 'attach this file (copied into the Attachments folder)')
    .option('--group', 'a new group chat (with --member)')
    .option('--group-guid <guid>', 'group chat guid (existing, or new with --member)')
    .option('--group-name <name>', 'group display name')
    .option('--member <handle...>', 'group members (every handle in the group)')
    .option('--reaction <type>', 'tapback: love|like|dislike|laugh|emphasis|question|custom')
    .option('--target <guid>', 'message the tapback points at')
    .option('--remove', 'remove the tapback (3000-3006)')
    .option('--emoji <emoji>', 'emoji of a custom tapback')
    .option('--reply-to <guid>', 'reply to this message (thread_originator_guid)')
    .option('--date <iso>', 'message date (default now)')
    .option('--sms', 'SMS instead of iMessage')
    .option('--guid <guid>', 'message guid (default a fresh UUID)')
    .option('-j, --json', 'print {guid, chat_guid, rows} as JSON')
    .action((flags: InjectFlags) => {
      if ((flags.db === undefined) === (flags.world === undefined)) throw new Error('give exactly one of --db and --world');
      const world = flags.world ? SimWorld.open(flags.world) : SimWorld.forDb(flags.db!).world;
      try {
        const result = world.inject(toSpec(flags));
        if (flags.json) {
          process.stdout.write(JSON.stringify({ guid: result.guid, chat_guid: result.chatGuid, rows: result.rows }) + '\n');
        } else {
          for (const row of result.rows) process.stdout.write(`${row.account} rowid=${row.rowid} guid=${result.guid}\n`);
        }
      } finally {
        world.close();
      }
    });
}

function toSpec(f: InjectFlags): InjectSpec {
  const grouped = f.group === true || f.groupGuid !== undefined || f.member !== undefined;
  if (f.reaction !== undefined && f.target === undefined) throw new Error('--reaction needs --target <guid>');
  return {
    account: f.account,
    from: f.from,
    to: f.to,
    text: f.text,
    file: f.file,
    group: grouped ? { guid: f.groupGuid, name: f.groupName, members: f.member } : undefined,
    reaction: f.reaction === undefined ? undefined : { type: ReactionTypeSchema.parse(f.reaction), target: f.target!, remove: f.remove, emoji: f.emoji },
    replyTo: f.replyTo,
    date: f.date,
    service: f.sms ? 'SMS' : 'iMessage',
    guid: f.guid,
  };
}
