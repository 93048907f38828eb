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
] as const;
export type OneShotName = (typeof ONE_SHOTS)[number];

/** The command's options as commander parsed them (`--new-text` → `newText`). */
export type OneShotOptions = Record<string, string | boolean | undefined>;

/** What a one-shot printed and how it exits. */
export interface OneShotResult {
  code: number;
  /** The JSON object of the last line (`--json`), or the text line. */
  output: Record<string, unknown> | string;
}

/** Refused before anything is asked of the hub: what the user can do instead. */
class Refusal extends Error {}

const GROUP_ACTIONS: Partial<Record<OneShotName, string>> = {
  'chat-name': 'renaming a group',
  'chat-photo': 'setting a group photo',
  'chat-add-member': 'adding a group member',
  'chat-remove-member': 'removing a group member',
  'chat-leave': 'leaving a group',
};

const need = (o: OneShotOptions, key: string, flag = key): string => {
  const v = o[key];
  if (typeof v !== 'string' || v === '') throw new Refusal(`missing option --${flag}`);
  return v;
};

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

function plan(name: OneShotName, o: OneShotOptions): Plan {
  const noThreads = (what: string) => {
    if (o['replyTo'] !== undefined)
      throw new Refusal(`imsg-hub: ${what} with --reply-to (a threaded reply) is not available through the hub; send it without --reply-to`);
  };
  switch (name) {
    case 'tapback': {
      const params = {
        chat_guid: need(o, 'chat'),
        message_id: need(o, 'message'),
        reaction: need(o, 'kind'),
        ...partOf(o),
        ...(o['remove'] ? { remove: true } : {}),
      };
      return { handler: tapback, method: 'tapback', params: async () => params };
    }
    case 'edit': {
      const text = need(o, 'newText', 'new-text');
      const params = {
        chat_guid: need(o, 'chat'),
        message_id: need(o, 'message'),
        text,
        backwards_compatibility_message: typeof o['bcText'] === 'string' && o['bcText'] !== '' ? o['bcText'] : text,
        ...partOf(o),
      };
      return { handler: messageEdit, method: 'message.edit', params: async () => params };
    }
    case 'unsend': {
      const params = { chat_guid: need(o, 'chat'), message_id: need(o, 'message'), ...partOf(o) };
      return { handler: messageUnsend, method: 'message.unsend', params: async () => params };
    }
    case 'send-rich': {
      const chat = need(o, 'chat');
      noThreads('send-rich');
      if (o['effect'] !== undefined) throw new Refusal('imsg-hub: send-rich with --effect is not available through the hub; send it without --effect');
      if (o['subject'] !== undefined) throw new Refusal('imsg-hub: send-rich with --subject is not available through the hub; send it without --subject');
      partOf(o);
      const text = typeof o['text'] === 'string' ? o['text'] : '';
      const file = typeof o['file'] === 'string' ? o['file'] : '';
      if (text === '' && file === '') throw new Refusal('missing option --text (or --file)');
      return {
        handler: send,
        method: 'send',
        params: async (ctx, deadline) => ({ ...(await sendTarget(ctx, chat, deadline)), ...(text ? { text } : {}), ...(file ? { file } : {}) }),
      };
    }
    case 'send-attachment': {
      const chat = need(o, 'chat');
      const file = need(o, 'file');
      noThreads('send-attachment');
      // `--audio` asks imsg to convert the file into a voice note; the hub sends the file as it is.
      return { handler: send, method: 'send', params: async (ctx, deadline) => ({ ...(await sendTarget(ctx, chat, deadline)), file }) };
    }
    case 'group': {
      const raw = need(o, 'chatId', 'chat-id');
      const chatId = Number(raw);
      if (!Number.isSafeInteger(chatId) || chatId <= 0) throw new Refusal(`--chat-id must be a positive integer (got ${raw})`);
      return { handler: chatsGet, method: 'chats.get', params: async () => ({ chat_id: chatId }) };
    }
    default:
      throw new Refusal(
        `imsg-hub: ${GROUP_ACTIONS[name] ?? name} is not available through the hub yet; do it in Messages on the Mac of the account that holds the chat`,
      );
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
