import { DeliveryFailure, SubscriptionStore, type ImsgV1Call } from '@imsg-hub/imsg-protocol';
import { RpcError } from '@imsg-hub/jsonrpc';
import { listChats } from './chat-directory.js';
import type { FacadeContext } from './facade-context.js';
import { toImsgRpcError } from './facade-errors.js';
import { resolveFacadeOptions, type FacadeFlags } from './facade-options.js';
import { Deadline } from './request-clock.js';
import { startFacadeContext } from './run-facade.js';
import { messageEdit, messageUnsend, tapback } from './v1/action-methods.js';
import { chatsGet } from './v1/read-methods.js';
import { groupAddParticipant, groupLeave, groupRemoveParticipant, groupRename, groupSetIcon, pollSend, pollVote } from './v1/chat-methods.js';
import { sendAttachment, sendRich } from './v1/rich-send-methods.js';
import { send } from './v1/send-methods.js';
import type { V1Handler } from './v1/v1-handler.js';

// imsg's CLI one-shots, as OpenClaw runs them for an account without `remoteHost`:
// `<cliPath> <command> --chat <guid> … [--db <path>] --json`, reading the last stdout line as a
// JSON object (`success:false` + `error` = failure, with a non-zero exit). Each is the RPC method
// it stands for, answered from the hub the same way.

export const ONE_SHOTS = [
  'tapback',
  'edit',
  'unsend',
  'send-rich',
  'send-attachment',
  'group',
  'launch',
  'chat-name',
  'chat-photo',
  'chat-add-member',
  'chat-remove-member',
  'chat-leave',
  'poll-send',
  'poll-vote',
] as const;
export type OneShotName = (typeof ONE_SHOTS)[number];

/** The command's options as commander parsed them (`--new-text` → `newText`; repeated `--option` → an array). */
export type OneShotOptions = Record<string, string | boolean | string[] | undefined>;

/** What a one-shot printed and how it exits. */
export interface OneShotResult {
  code: number;
  /** The JSON object of the last line (`--json`), or the text line. */
  output: Record<string, unknown> | string;
}

/** Refused before anything is asked of the hub: what the user can do instead. */
class Refusal extends Error {}

const need = (o: OneShotOptions, key: string, flag = key): string => {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new Refusal(`missing option --${flag}`);
  return v;
};

const str = (o: OneShotOptions, key: string): string | undefined => (typeof o[key] === 'string' && o[key] !== '' ? (o[key] as string) : undefined);

function partOf(o: OneShotOptions): { part_index?: number } {
  if (o['part'] === undefined) return {};
  const n = Number(o['part']);
  if (!Number.isSafeInteger(n) || n < 0) throw new Refusal(`--part must be a non-negative integer (got ${String(o['part'])})`);
  return { part_index: n };
}

/** `iMessage;-;<handle>`, `SMS;-;…` or `any;-;…` (what OpenClaw synthesises for a DM): the handle and service. */
const DIRECT_GUID = /^(any|imessage|sms);-;(.+)$/i;

/** A send's chat: the hub's chat with that guid, else (a synthesised DM guid) its handle. */
async function sendTarget(ctx: FacadeContext, chat: string, deadline: Deadline): Promise<Record<string, string>> {
  const known = (await listChats(ctx, await ctx.link.client(deadline), deadline)).some((c) => c.guid === chat);
  const direct = DIRECT_GUID.exec(chat);
  if (known || !direct) return { chat_guid: chat };
  const service = direct[1]!.toLowerCase() === 'any' ? 'auto' : direct[1]!.toLowerCase();
  return { to: direct[2]!, service };
}

type Plan = { handler: V1Handler; method: string; params: (ctx: FacadeContext, deadline: Deadline) => Promise<Record<string, unknown>> };

const fixed = (handler: V1Handler, method: string, params: Record<string, unknown>): Plan => ({ handler, method, params: async () => params });

/** The group one-shots: imsg's `chat-*` commands, each a group.* method. */
const CHAT_COMMANDS: Partial<Record<OneShotName, { handler: V1Handler; method: string; extra: (o: OneShotOptions) => Record<string, unknown> }>> = {
  'chat-name': { handler: groupRename, method: 'group.rename', extra: (o) => ({ name: typeof o['name'] === 'string' ? o['name'] : need(o, 'name') }) },
  'chat-photo': { handler: groupSetIcon, method: 'group.setIcon', extra: (o) => (str(o, 'file') ? { file: str(o, 'file') } : {}) },
  'chat-add-member': { handler: groupAddParticipant, method: 'group.addParticipant', extra: (o) => ({ address: need(o, 'address') }) },
  'chat-remove-member': { handler: groupRemoveParticipant, method: 'group.removeParticipant', extra: (o) => ({ address: need(o, 'address') }) },
  'chat-leave': { handler: groupLeave, method: 'group.leave', extra: () => ({}) },
};

function plan(name: OneShotName, o: OneShotOptions): Plan {
  const chatCommand = CHAT_COMMANDS[name];
  if (chatCommand) return fixed(chatCommand.handler, chatCommand.method, { chat_guid: need(o, 'chat'), ...chatCommand.extra(o) });
  switch (name) {
    case 'tapback':
      return fixed(tapback, 'tapback', {
        chat_guid: need(o, 'chat'),
        message_id: need(o, 'message'),
        reaction: need(o, 'kind'),
        ...partOf(o),
        ...(o['remove'] ? { remove: true } : {}),
      });
    case 'edit': {
      const text = need(o, 'newText', 'new-text');
      return fixed(messageEdit, 'message.edit', {
        chat_guid: need(o, 'chat'),
        message_id: need(o, 'message'),
        text,
        backwards_compatibility_message: str(o, 'bcText') ?? text,
        ...partOf(o),
      });
    }
    case 'unsend':
      return fixed(messageUnsend, 'message.unsend', { chat_guid: need(o, 'chat'), message_id: need(o, 'message'), ...partOf(o) });
    case 'send-rich': {
      const chat = need(o, 'chat');
      const part = partOf(o);
      const text = str(o, 'text') ?? '';
      const file = str(o, 'file') ?? '';
      if (text === '' && file === '') throw new Refusal('missing option --text (or --file)');
      const rich = { ...(str(o, 'effect') ? { effect: str(o, 'effect') } : {}), ...(str(o, 'subject') ? { subject: str(o, 'subject') } : {}) };
      const body = { ...(text ? { text } : {}), ...(file ? { file } : {}) };
      if (str(o, 'replyTo') || Object.keys(rich).length > 0) {
        // A reply, an effect or a subject: imsg's send.rich, through the account that holds the chat (and the message).
        const reply = str(o, 'replyTo') ? { reply_to: str(o, 'replyTo'), ...part } : {};
        return fixed(sendRich, 'send.rich', { chat_guid: chat, ...body, ...reply, ...rich });
      }
      return { handler: send, method: 'send', params: async (ctx, deadline) => ({ ...(await sendTarget(ctx, chat, deadline)), ...body }) };
    }
    case 'send-attachment': {
      const chat = need(o, 'chat');
      const file = need(o, 'file');
      if (str(o, 'replyTo') || o['audio']) {
        return fixed(sendAttachment, 'send.attachment', {
          chat_guid: chat,
          file,
          ...(o['audio'] ? { audio: true } : {}),
          ...(str(o, 'replyTo') ? { reply_to: str(o, 'replyTo') } : {}),
        });
      }
      return { handler: send, method: 'send', params: async (ctx, deadline) => ({ ...(await sendTarget(ctx, chat, deadline)), file }) };
    }
    case 'group': {
      const raw = need(o, 'chatId', 'chat-id');
      const chatId = Number(raw);
      if (!Number.isSafeInteger(chatId) || chatId <= 0) throw new Refusal(`--chat-id must be a positive integer (got ${raw})`);
      return fixed(chatsGet, 'chats.get', { chat_id: chatId });
    }
    case 'poll-send': {
      const options = Array.isArray(o['option']) ? o['option'] : typeof o['option'] === 'string' ? [o['option']] : [];
      return fixed(pollSend, 'poll.send', {
        chat_guid: need(o, 'chat'),
        question: need(o, 'question'),
        options,
        ...(str(o, 'replyTo') ? { reply_to: str(o, 'replyTo') } : {}),
        ...(o['comment'] === false ? { suppress_comment: true } : {}),
      });
    }
    case 'poll-vote': {
      const index = str(o, 'optionIndex');
      const option = str(o, 'optionId') ? { option_id: str(o, 'optionId') } : index ? { option_index: Number(index) } : { option: need(o, 'option') };
      return fixed(pollVote, 'poll.vote', { chat_guid: need(o, 'chat'), poll_guid: need(o, 'poll'), ...option });
    }
    default:
      throw new Refusal(`imsg-hub: ${name} is not an imsg command the hub answers`);
  }
}

/** The text of a failure, as OpenClaw shows it. */
function errorText(err: unknown): string {
  const e = err instanceof DeliveryFailure ? err.toRpcError() : err instanceof RpcError ? err : err instanceof Refusal ? undefined : toImsgRpcError(err);
  if (!e) return (err as Error).message;
  const data = e.data as unknown;
  const detail =
    typeof data === 'string' ? data : typeof (data as { detail?: unknown })?.detail === 'string' ? (data as { detail: string }).detail : JSON.stringify(data);
  return `${e.message}: ${detail}`;
}

/** Adds the keys OpenClaw reads a sent message's id from (`messageGuid`, …). */
function successOf(method: string, result: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { success: true, ...result };
  if (method === 'send' && typeof result['guid'] === 'string') out['messageGuid'] = result['guid'];
  if (method === 'chats.get' && typeof result['guid'] === 'string') out['chat_guid'] = result['guid'];
  if ((method === 'send.rich' || method === 'send.attachment') && typeof result['guid'] === 'string') out['messageGuid'] = result['guid'];
  // The local CLI's `poll vote` names the chosen option `optionText`; imsg's RPC says `option_text`.
  if (method === 'poll.vote' && typeof result['option_text'] === 'string') out['optionText'] = result['option_text'];
  return out;
}

/** Runs one one-shot against the hub; never throws. */
export async function runOneShot(name: OneShotName, o: OneShotOptions, flags: FacadeFlags, env: NodeJS.ProcessEnv = process.env): Promise<OneShotResult> {
  if (name === 'launch') {
    return { code: 0, output: { success: true, message: 'imsg-hub: nothing to launch here; each account’s imsg runs (and is launched) on its own Mac' } };
  }
  let ctx: FacadeContext | undefined;
  try {
    const p = plan(name, o);
    const options = resolveFacadeOptions(flags, env);
    ctx = startFacadeContext(options, `imsg-hub ${name}`);
    const deadline = Deadline.in(options.requestBudgetMs);
    const call: ImsgV1Call = {
      method: p.method,
      params: (await p.params(ctx, deadline)) as ImsgV1Call['params'],
      isNotification: false,
      session: { notify: async () => undefined, subscriptions: new SubscriptionStore() },
      receivedAt: Date.now(),
    };
    const result = (await p.handler(ctx, call, deadline)) as Record<string, unknown>;
    return { code: 0, output: successOf(p.method, result) };
  } catch (err) {
    return { code: 1, output: { success: false, error: errorText(err) } };
  } finally {
    await ctx?.link.close();
    await ctx?.log.flush();
  }
}
