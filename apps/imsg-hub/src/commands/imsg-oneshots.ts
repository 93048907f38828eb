import { type Command, Option } from 'commander';
import { withHubFlags, type FacadeCommandFlags } from './hub-flags.js';

// imsg's CLI one-shots, answered from the hub: OpenClaw runs them (`<cliPath> tapback --chat <guid>
// --message <guid> --kind love --part 0 --json`) for an account without `remoteHost`, and reads
// the last stdout line. The logic is the facade's (runOneShot); this names the argv.

type OneShotFlags = FacadeCommandFlags & Record<string, string | boolean | undefined>;

const SUMMARY: Record<string, (o: Record<string, unknown>) => string> = {
  tapback: (o) => `tapback: ${String(o['reaction'] ?? o['emoji'] ?? '')} sent`,
  edit: () => 'edit: done',
  unsend: () => 'unsend: done',
  'send-rich': (o) => `send-rich: sent (guid=${String(o['guid'] ?? '')})`,
  'send-attachment': (o) => `send-attachment: sent (guid=${String(o['guid'] ?? '')})`,
  'chat-name': () => 'chat-name: done',
  'chat-photo': () => 'chat-photo: done',
  'chat-add-member': () => 'chat-add-member: done',
  'chat-remove-member': () => 'chat-remove-member: done',
  'chat-leave': () => 'chat-leave: done',
  'poll-send': (o) => `poll send: sent (guid=${String(o['guid'] ?? '')})`,
  'poll-vote': (o) => `poll vote: ${String(o['optionText'] ?? o['option_text'] ?? 'done')}`,
  group: (o) => `${String(o['guid'])}\t${String(o['name'])}\t${(o['participants'] as string[] | undefined)?.join(', ') ?? ''}`,
  launch: (o) => String(o['message']),
};

function action(name: string) {
  return async (flags: OneShotFlags) => {
    const { runOneShot } = await import('@imsg-hub/facade');
    const result = await runOneShot(name as never, flags, flags);
    const out = result.output;
    if (flags.json) process.stdout.write(`${JSON.stringify(out)}\n`);
    else if (typeof out === 'object' && out['success'] === false) process.stdout.write(`error: ${String(out['error'])}\n`);
    else process.stdout.write(`${typeof out === 'string' ? out : (SUMMARY[name]?.(out) ?? 'done')}\n`);
    process.stdout.write('', () => process.exit(result.code));
  };
}

function oneShot(program: Command, name: string, description: string): Command {
  return withHubFlags(program.command(name).description(description));
}

/** Options of the one-shots whose help depends on what the backing accounts can do now. */
export interface OneShotHelp {
  /** `poll send --help` mentions `--no-comment` (OpenClaw reads it) only when the accounts can send polls. */
  pollsOffered?: boolean;
}

/** A commander option: flags and help text. */
type Opt = readonly [flags: string, description: string];
const CHAT: Opt = ['--chat <guid>', 'chat guid'];
const MESSAGE: Opt = ['--message <guid>', 'target message guid'];
const PART: Opt = ['--part <n>', 'part index'];
const REPLY_TO: Opt = ['--reply-to <guid>', 'guid of the message to reply to (a threaded reply)'];
const IN_GROUP = '(imsg one-shot), through one of your accounts in the group';

/** imsg's one-shots with plain options, in imsg's order: name, description, options. */
const ONE_SHOTS: readonly (readonly [name: string, description: string, options: readonly Opt[]])[] = [
  [
    'tapback',
    'send a tapback (imsg one-shot), through the account that holds the message',
    [CHAT, MESSAGE, ['--kind <kind>', 'love|like|dislike|laugh|emphasize|question'], PART, ['--remove', 'remove this reaction instead of adding']],
  ],
  [
    'edit',
    'edit a sent message (imsg one-shot), through the account that sent it',
    [CHAT, MESSAGE, ['--new-text <text>', 'replacement text'], ['--bc-text <text>', 'text older clients see (default: the new text)'], PART],
  ],
  ['unsend', 'retract a sent message (imsg one-shot), through the account that sent it', [CHAT, MESSAGE, PART]],
  [
    'send-rich',
    'send a message into a chat (imsg one-shot): a threaded reply, an effect or a subject where the account’s imsg offers them',
    [
      ['--chat <guid>', 'chat guid (e.g. iMessage;-;+15551234567)'],
      ['--text <text>', 'message body'],
      ['--file <path>', 'path to an attachment'],
      ['--effect <id>', 'expressive send effect (confetti, slam, … or a full effect id)'],
      ['--subject <text>', 'subject line'],
      REPLY_TO,
      ['--part <n>', 'part of the message replied to (default 0)'],
      ['--format <json>', 'formatting ranges (accepted; the hub sends plain text)'],
      ['--format-file <path>', 'formatting ranges from a file (accepted; the hub sends plain text)'],
      ['--no-dd-scan', 'accepted for imsg compatibility'],
    ],
  ],
  [
    'send-attachment',
    'send a file into a chat (imsg one-shot)',
    [
      CHAT,
      ['--file <path>', 'path to the file'],
      ['--audio', 'send it as a voice message (the account’s imsg converts it)'],
      REPLY_TO,
      ['--transport <transport>', 'auto|dylib|applescript (accepted; the account’s imsg decides)'],
    ],
  ],
  ['group', 'show a chat (imsg one-shot): guid, name, participants', [['--chat-id <id>', 'hub chat id']]],
  ['launch', 'accepted for imsg compatibility: each account’s imsg is launched on its own Mac', []],
  ['chat-name', `rename a group ${IN_GROUP}`, [CHAT, ['--name <name>', 'new name']]],
  ['chat-photo', `set a group photo (no --file: remove it) ${IN_GROUP}`, [CHAT, ['--file <path>', 'photo']]],
  ['chat-add-member', `add a group member ${IN_GROUP}`, [CHAT, ['--address <handle>', 'member']]],
  ['chat-remove-member', `remove a group member ${IN_GROUP}`, [CHAT, ['--address <handle>', 'member']]],
  ['chat-leave', `leave a group ${IN_GROUP}`, [CHAT]],
];

/** `tapback`, `edit`, `unsend`, `send-rich`, `send-attachment`, `group`, `launch`, `chat-*`, `poll send|vote`. */
export function registerImsgOneShots(program: Command, help: OneShotHelp = {}): void {
  for (const [name, description, options] of ONE_SHOTS) {
    const command = oneShot(program, name, description);
    for (const [flags, text] of options) command.option(flags, text);
    command.action(action(name));
  }
  const poll = program.command('poll').description('send or vote in a poll (imsg one-shot), where the account’s imsg offers polls');
  oneShot(poll, 'send', 'send a poll into a chat')
    .option(...CHAT)
    .option('--question <text>', 'the question')
    .option('--option <text>', 'one answer (repeat for each, at least two)', (v: string, all: string[] = []) => [...all, v])
    .option('--reply-to <guid>', 'guid of the message to reply to')
    .addOption(new Option('--no-comment', 'send the poll without its caption message').hideHelp(!help.pollsOffered))
    .action(action('poll-send'));
  oneShot(poll, 'vote', 'vote in a poll')
    .option(...CHAT)
    .option('--poll <guid>', 'the poll message guid')
    .option('--option-id <id>', 'the option id (from the poll)')
    .option('--option-index <n>', 'the option by position (1 = the first)')
    .option('--option <text>', 'the option by its text')
    .action(action('poll-vote'));
}
