import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HubClient } from '@imsg-hub/hub-client';
import { HubError, type SendOutcome } from '@imsg-hub/hub-protocol';
import { imsgError, normalizeTapbackReaction, ParamKeys, StrictParams, tapbackResultName, unionKeys, type ImsgV1Call } from '@imsg-hub/imsg-protocol';
import { accountOfChat } from '../chat-directory.js';
import type { FacadeContext } from '../facade-context.js';
import { ANSWER_MARGIN_MS, submitToHub } from '../hub-submit.js';
import type { Deadline } from '../request-clock.js';
import { refusal, settledOutcome, type Operation } from './delivery-outcome.js';
import type { V1Handler } from './v1-handler.js';

// tapback / message.edit / message.unsend of imsg 0.15 (reference/imsg-protocol-v1.md §3.18–3.19)
// mapped onto the hub's message.react / message.edit / message.unsend: the message by its guid (any
// account's copy), the account from the chat named (per-account mode: the facade's account), the
// rest decided by the hub (a holder for a tapback, the sender for an edit or unsend), exactly once
// under a fresh idempotency key, answered as imsg answers.

/** How long an action waits for a message the hub has not stored yet (a just-sent one's echo). */
const ECHO_GRACE_MS = 3000;

/** A validated action on one message. */
export interface MessageAction {
  guid: string;
  part: number | undefined;
  chat: { chatId?: number | undefined; chatGuid?: string | undefined; chatIdentifier?: string | undefined };
}

const TARGET_PART = /^p:(\d+)\/(.+)$/;

function messageAction(params: StrictParams): MessageAction {
  const raw = params.messageGuid();
  if (!raw) throw imsgError.invalidParams('message_id or message_guid is required');
  let part = params.integer('part_index', ['partIndex']);
  if (part !== undefined && part < 0) throw imsgError.invalidParams('part_index must be a non-negative integer');
  let guid = raw;
  const prefixed = TARGET_PART.exec(raw);
  if (prefixed) {
    // A `p:N/GUID` target names its part; it overrides part_index (ReactionHandlers.inc).
    part = Number(prefixed[1]);
    guid = prefixed[2]!;
  }
  const target = params.chatTarget();
  return {
    guid,
    part,
    chat: { chatId: target.chatId, chatGuid: target.chatGuid || undefined, chatIdentifier: target.chatIdentifier || undefined },
  };
}

/**
 * Runs a hub action within the budget: the acting account from the chat, a message not stored yet
 * waited for briefly, then imsg's answer for the outcome.
 */
async function act(
  ctx: FacadeContext,
  deadline: Deadline,
  a: MessageAction,
  op: Operation,
  call: (client: HubClient, p: { guid: string; account?: string; part_index?: number; idempotency_key: string; wait_ms: number }) => Promise<SendOutcome>,
): Promise<SendOutcome> {
  const key = `imsg-hub-rpc-${randomUUID()}`;
  try {
    const client = await ctx.link.client(deadline);
    const { found, account } = await accountOfChat(ctx, client, a.chat, deadline);
    if (!found && a.chat.chatId !== undefined) throw imsgError.invalidParams(`unknown chat_id ${a.chat.chatId}`);
    const base = { guid: a.guid, ...(account ? { account } : {}), ...(a.part !== undefined ? { part_index: a.part } : {}), idempotency_key: key };
    const until = Date.now() + Math.min(ECHO_GRACE_MS, Math.max(0, deadline.remaining() - ANSWER_MARGIN_MS - 2000));
    for (;;) {
      try {
        return settledOutcome(await submitToHub(ctx, key, deadline, (c, waitMs) => call(c, { ...base, wait_ms: waitMs })), op);
      } catch (err) {
        // A message sent a moment ago may not be in the hub yet: its echo row is on its way.
        if (HubError.from(err)?.hubCode !== 'NOT_FOUND' || Date.now() >= until) throw err;
        await sleep(150);
      }
    }
  } catch (err) {
    throw refusal(err, op);
  }
}

const TAPBACK: Operation = { transport: 'bridge_v2', operation: 'send-reaction', noun: 'the tapback' };
const EDIT: Operation = { transport: 'bridge_v2', operation: 'edit-message', noun: 'the edit' };
const UNSEND: Operation = { transport: 'bridge_v2', operation: 'unsend-message', noun: 'the unsend' };

/** `tapback`: a classic kind (any of imsg's spellings, `remove-` honoured) or, with `emoji`, that emoji. */
export const tapback: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(
    call.params,
    'tapback',
    unionKeys(ParamKeys.chatTarget, ParamKeys.messageTarget, ParamKeys.partIndex, ['reaction', 'kind', 'emoji', 'remove']),
  );
  const action = messageAction(params);
  const remove = params.boolean('remove') ?? false;
  const emoji = params.string('emoji') || undefined;
  const reaction = emoji ? undefined : normalizeTapbackReaction(params.string('reaction', ['kind']) ?? '', remove);
  await act(ctx, deadline, action, TAPBACK, (c, p) =>
    c.call(
      'message.react',
      { ...p, ...(emoji ? { emoji, ...(remove ? { remove } : {}) } : { kind: reaction!.kind, ...(reaction!.remove ? { remove: true } : {}) }) },
      p.wait_ms + ANSWER_MARGIN_MS,
    ),
  );
  return emoji ? { ok: true, emoji } : { ok: true, reaction: tapbackResultName(reaction!) };
};

const EDIT_KEYS = unionKeys(ParamKeys.chatTarget, ParamKeys.messageTarget, ParamKeys.partIndex, [
  'text',
  'new_text',
  'newText',
  'edited_message',
  'backwards_compatibility_message',
  'backwardsCompatibilityMessage',
  'bc_text',
  'bcText',
]);

/** `message.edit`: new text for a message one of our accounts sent (through that account). */
export const messageEdit: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'message.edit', EDIT_KEYS);
  const action = messageAction(params);
  const text = params.string('text', ['new_text', 'newText', 'edited_message']);
  if (!text) throw imsgError.invalidParams('text is required');
  // Older clients see the backwards-compatibility text; the hub's edit sends the new text only.
  params.string('backwards_compatibility_message', ['backwardsCompatibilityMessage', 'bc_text', 'bcText']);
  await act(ctx, deadline, action, EDIT, (c, p) => c.call('message.edit', { ...p, text }, p.wait_ms + ANSWER_MARGIN_MS));
  return { ok: true };
};

/** `message.unsend`: retracts a message one of our accounts sent (through that account). */
export const messageUnsend: V1Handler = async (ctx, call: ImsgV1Call, deadline) => {
  const params = new StrictParams(call.params, 'message.unsend', unionKeys(ParamKeys.chatTarget, ParamKeys.messageTarget, ParamKeys.partIndex));
  const action = messageAction(params);
  await act(ctx, deadline, action, UNSEND, (c, p) => c.call('message.unsend', p, p.wait_ms + ANSWER_MARGIN_MS));
  return { ok: true };
};
