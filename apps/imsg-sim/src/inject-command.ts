import type { Command } from 'commander';
import { ReactionTypeSchema } from '@imsg-hub/imsg-protocol';
import { normalizeHandle, SimWorld, WorldActions, type InjectSpec } from '@imsg-hub/sim';

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
  edit?: string;
  unsend?: string;
  readReceipt?: string;
  delivered?: string;
  typing?: string;
  part?: number;
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
    .option('--emoji <emoji>', 'emoji of a custom tapback (alone with --target: a custom tapback)')
    .option('--reply-to <guid>', 'reply to this message (thread_originator_guid)')
    .option('--date <iso>', 'message date (default now)')
    .option('--sms', 'SMS instead of iMessage')
    .option('--guid <guid>', 'message guid (default a fresh UUID)')
    .option('-j, --json', 'print {guid, chat_guid, rows} as JSON')
    .option('--edit <guid>', 'the sender (--from) edited this message of theirs to --text')
    .option('--unsend <guid>', 'the sender (--from) unsent this message of theirs')
    .option('--read-receipt <guid>', 'the recipient read our sent message with this guid')
    .option('--delivered <guid>', 'our sent message with this guid reached the recipient')
    .option('--typing <state>', 'the sender starts or stops typing (start|stop): a bridge event')
    .option('--part <n>', 'message part for --edit / --unsend (default 0)', (v) => Number.parseInt(v, 10))
    .action((flags: InjectFlags) => {
      if ((flags.db === undefined) === (flags.world === undefined)) throw new Error('give exactly one of --db and --world');
      const world = flags.world ? SimWorld.open(flags.world) : SimWorld.forDb(flags.db!).world;
      try {
        if (injectAction(world, flags)) return;
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

/** What other people do to existing messages: edits, unsends, receipts, typing. True when handled. */
function injectAction(world: SimWorld, f: InjectFlags): boolean {
  const kinds = [f.edit, f.unsend, f.readReceipt, f.delivered, f.typing].filter((x) => x !== undefined);
  if (kinds.length === 0) return false;
  if (kinds.length > 1) throw new Error('give one of --edit, --unsend, --read-receipt, --delivered, --typing');
  const account = receivingAccount(world, f);
  const actions = new WorldActions(world);
  if (f.edit !== undefined) {
    if (f.text === undefined) throw new Error('--edit needs --text with the new text');
    actions.editCopy(account, f.edit, f.text, f.part ?? 0);
  } else if (f.unsend !== undefined) actions.unsendCopy(account, f.unsend, f.part ?? 0);
  else if (f.readReceipt !== undefined) {
    if (actions.receipt(account, f.readReceipt, 'read') === 0) throw new Error(`${account} sent no message ${f.readReceipt}`);
  } else if (f.delivered !== undefined) {
    if (actions.receipt(account, f.delivered, 'delivered') === 0) throw new Error(`${account} sent no message ${f.delivered}`);
  } else {
    if (f.typing !== 'start' && f.typing !== 'stop') throw new Error('--typing must be start or stop');
    actions.theirTyping(account, normalizeHandle(f.from), f.typing === 'start', f.groupGuid);
  }
  process.stdout.write(f.json ? JSON.stringify({ account, ok: true }) + '\n' : `${account} ok\n`);
  return true;
}

/** --account, else the owner of --to, else the world's only account. */
function receivingAccount(world: SimWorld, f: InjectFlags): string {
  if (f.account !== undefined) return world.info(f.account).name;
  const owner = f.to === undefined ? undefined : world.ownerOf(f.to);
  if (owner) return owner.name;
  if (world.accounts.length === 1) return world.accounts[0]!.name;
  throw new Error('name the account with --account (or --to one of its handles)');
}

function toSpec(f: InjectFlags): InjectSpec {
  const grouped = f.group === true || f.groupGuid !== undefined || f.member !== undefined;
  if (f.reaction === undefined && f.emoji !== undefined && f.target !== undefined) f.reaction = 'custom';
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
