import { randomUUID } from 'node:crypto';
import type { HubClient } from '@imsg-hub/hub-client';
import type { SendOutcome } from '@imsg-hub/hub-protocol';
import { imsgError, type StrictParams } from '@imsg-hub/imsg-protocol';
import { listChats } from '../chat-directory.js';
import type { FacadeContext } from '../facade-context.js';
import { ANSWER_MARGIN_MS, submitToHub } from '../hub-submit.js';
import type { Deadline } from '../request-clock.js';
import { type Operation, type RefusalContext, refusal, settledOutcome } from './delivery-outcome.js';

/** The key and wait a hub mutation call carries. */
export interface MutationCall {
  idempotency_key: string;
  wait_ms: number;
}

/**
 * One imsg mutation handed to the hub under one idempotency key within the request's budget,
 * answered as imsg 0.15 answers: the outcome once the owning account's imsg accepted it, else
 * -32001 (may have happened) or -32603 not_started (provably never started).
 */
export async function hubMutation(
  ctx: FacadeContext,
  deadline: Deadline,
  op: Operation,
  call: (client: HubClient, p: MutationCall) => Promise<SendOutcome>,
  o: { key?: string | undefined; refusal?: RefusalContext } = {},
): Promise<SendOutcome> {
  const key = o.key ?? `imsg-hub-rpc-${randomUUID()}`;
  try {
    return settledOutcome(await submitToHub(ctx, key, deadline, (c, waitMs) => call(c, { idempotency_key: key, wait_ms: waitMs })), op);
  } catch (err) {
    throw refusal(err, op, o.refusal);
  }
}

/** How long a hub call may take: its own wait plus time to answer. */
export const callTimeout = (p: MutationCall) => p.wait_ms + ANSWER_MARGIN_MS;

/**
 * The hub chat an imsg chat selector names: a hub chat id as it is, a chat guid as it is, a chat
 * identifier looked up among the chats in view (as imsg maps it through chat.db).
 */
export async function hubChatOf(ctx: FacadeContext, params: StrictParams, deadline: Deadline): Promise<{ chat_id: number } | { chat_guid: string }> {
  const target = params.chatTarget();
  if (target.chatId !== undefined) return { chat_id: target.chatId };
  if (target.chatGuid) return { chat_guid: target.chatGuid };
  const chats = await listChats(ctx, await ctx.link.client(deadline), deadline);
  const chat = chats.find((c) => c.identifier === target.chatIdentifier) ?? chats.find((c) => c.guid === target.chatIdentifier);
  if (!chat) throw imsgError.invalidParams(`unknown chat_identifier ${target.chatIdentifier}`);
  return { chat_id: chat.id };
}
