import { randomUUID } from 'node:crypto';
import type { HubClient } from '@imsg-hub/hub-client';
import { HubError, type SendOutcome, type SendRequest } from '@imsg-hub/hub-protocol';
import { RpcError } from '@imsg-hub/jsonrpc';
import { ATTEMPT_ID_PATTERN, imsgError, SEND_KEYS, StrictParams, type ImsgV1Call } from '@imsg-hub/imsg-protocol';
import { listChats } from '../chat-directory.js';
import type { FacadeContext } from '../facade-context.js';
import { ANSWER_MARGIN_MS, echoOf, submitToHub, uploadFile } from '../hub-submit.js';
import type { Deadline } from '../request-clock.js';
import { captionOf, localPath, regionOf, sendTarget } from '../send-plan.js';
import { refusal, SEND_OPERATION, settledOutcome, TRACKED_OPERATION } from './delivery-outcome.js';
import type { V1Handler } from './v1-handler.js';

// `send` and `send.tracked` of imsg 0.15 (reference/imsg-protocol-v1.md §3.12–3.14) through the
// hub's durable outbox: exactly one message per idempotency key, answered `ok` only once the
// owning account's imsg sent it, -32001 while that is not known, -32603 not_started when provably
// never started. `send.tracked`'s attempt_id is the hub key, so a repeat never sends twice and
// `message.send_status {guid: attempt_id}` reads the hub's send state.

const SERVICES = new Set(['auto', 'imessage', 'sms']);
const TRANSPORTS = new Set(['auto', 'bridge', 'applescript']);

/** A validated send. */
interface SendPlanV1 {
  method: 'send' | 'send.tracked';
  target: string;
  chatId: number | undefined;
  chatGuid: string;
  text: string;
  file: string | undefined;
  region: string | undefined;
  attemptId: string | undefined;
  /** A threaded reply: the hub sends it as imsg `send.rich` through an account that holds the message. */
  replyTo: string | undefined;
}

/** imsg 0.15's checks, in its order and with its texts. */
function planSendV1(call: ImsgV1Call): SendPlanV1 {
  const method = call.method as 'send' | 'send.tracked';
  const tracked = method === 'send.tracked';
  if (!tracked && Object.hasOwn(call.params, 'attempt_id')) throw imsgError.invalidParams('attempt_id is only supported by send.tracked');
  const params = new StrictParams(call.params, method, tracked ? [...SEND_KEYS, 'attempt_id'] : SEND_KEYS);
  const target = params.recipientOrChatTarget();
  const text = params.string('text') ?? '';
  const file = params.string('file') ?? '';
  // Formatting ranges are accepted; the hub sends plain text (only imsg's bridge renders them).
  params.objectArray('text_formatting', ['textFormatting', 'formatting']);
  const service = params.string('service') ?? 'auto';
  if (!SERVICES.has(service)) throw imsgError.invalidParams('invalid service');
  const transport = (params.string('transport') ?? 'auto').toLowerCase();
  if (!TRANSPORTS.has(transport)) throw imsgError.invalidParams('invalid transport');
  const region = params.string('region');
  params.boolean('allow_sms_fallback', ['allowSMSFallback']);
  const replyTo = params.string('reply_to', ['replyTo', 'reply_to_guid', 'message_guid']) ?? '';
  let attemptId: string | undefined;
  if (tracked) {
    attemptId = params.string('attempt_id');
    if (attemptId === undefined || !ATTEMPT_ID_PATTERN.test(attemptId)) throw imsgError.invalidParams('attempt_id must be a UUID');
    attemptId = attemptId.toLowerCase();
  }
  if (text === '' && file === '') throw imsgError.invalidParams('text or file is required');
  if (replyTo.trim() !== '' && transport === 'applescript') throw imsgError.invalidParams(NO_THREADS);
  if (tracked) {
    if (text === '' || file !== '') throw imsgError.invalidParams('send.tracked supports exactly one text message');
    if (transport === 'applescript') throw imsgError.invalidParams('send.tracked requires bridge transport');
  }
  return {
    method,
    target: sendTarget({ to: target.recipient, chatId: target.chatId, chatIdentifier: target.chatIdentifier, chatGuid: target.chatGuid }, service),
    chatId: target.chatId,
    chatGuid: target.chatGuid,
    text: captionOf(text, file),
    file: localPath(file),
    region: regionOf(region),
    attemptId,
    replyTo: replyTo.trim() || undefined,
  };
}

/**
 * How long the hub may hold the send before an agent starts it: short enough that, when it cannot
 * start (the agent is offline, or busy past it), the hub says so (`expired`: never sent) before this
 * request must be answered.
 */
function queueTtlS(deadline: Deadline): number {
  return Math.max(1, Math.floor((deadline.remaining() - ANSWER_MARGIN_MS - 1500) / 1000));
}

export const send: V1Handler = async (ctx, call, deadline) => {
  const plan = planSendV1(call);
  const key = plan.attemptId ?? `imsg-hub-rpc-${randomUUID()}`;
  const op = plan.attemptId ? TRACKED_OPERATION : SEND_OPERATION;
  try {
    const client = await ctx.link.client(deadline);
    if (plan.replyTo && !(await ctx.capabilities.read(client)).accounts.some((a) => a.connected && a.info?.methods.includes('send.rich'))) {
      // No account behind the facade can thread (no bridge): imsg's answer without one.
      throw imsgError.invalidParams(NO_THREADS);
    }
    const file = plan.file ? await uploadFile(ctx, client, plan.file, deadline) : undefined;
    const request: SendRequest = {
      target: plan.target,
      ...(plan.text !== '' ? { text: plan.text } : {}),
      ...(file ? { file } : {}),
      ...ctx.view.scope(),
      ...(plan.region ? { region: plan.region } : {}),
      ...(plan.replyTo ? { reply_to: { guid: plan.replyTo } } : {}),
      idempotency_key: key,
      queue_ttl_s: queueTtlS(deadline),
    };
    const outcome = settledOutcome(
      await submitToHub(ctx, key, deadline, (c, waitMs) => c.call('send', { ...request, wait_ms: waitMs }, waitMs + ANSWER_MARGIN_MS)),
      op,
    );
    return await sentAnswer(ctx, client, outcome, plan, deadline);
  } catch (err) {
    if (err instanceof RpcError && err.data === NO_THREADS) throw err;
    // An account whose imsg cannot thread: imsg's own words without its bridge (OpenClaw then sends unthreaded).
    if (plan.replyTo && HubError.from(err)?.hubCode === 'ACTION_UNAVAILABLE') throw imsgError.invalidParams(NO_THREADS);
    throw refusal(err, op, { chatId: plan.chatId, tracked: plan.attemptId !== undefined });
  }
};

const NO_THREADS = 'reply_to requires bridge transport; AppleScript fallback cannot send threaded replies';

/** What an answer to a send needs to know of the request. */
export type AnswerPlan = Pick<SendPlanV1, 'target' | 'chatGuid' | 'attemptId'>;

/** `{ok, transport, id, guid, message_id, chat_guid, service}` as imsg answers a send it made (§3.12). */
export async function sentAnswer(
  ctx: FacadeContext,
  client: HubClient,
  outcome: SendOutcome,
  plan: AnswerPlan,
  deadline: Deadline,
): Promise<Record<string, unknown>> {
  const result = outcome.result ?? {};
  const guid = typeof result.guid === 'string' && result.guid !== '' ? result.guid : undefined;
  const id = await echoOf(client, outcome, deadline);
  const chatGuid = await chatGuidOf(ctx, client, outcome, plan, deadline).catch(() => undefined);
  return {
    ok: true,
    transport: typeof result.transport === 'string' ? result.transport : 'applescript',
    ...(id !== undefined ? { id } : {}),
    ...(guid ? { guid, message_id: guid } : {}),
    ...(chatGuid ? { chat_guid: chatGuid } : {}),
    ...(typeof result['service'] === 'string' ? { service: result['service'] } : {}),
    ...(plan.attemptId ? { attempt_id: plan.attemptId } : {}),
  };
}

/**
 * The guid of the chat the message went to: imsg's answer (0.10+), else the chat it named, else
 * the hub's chat of that account for the chat id or handle. A later edit or unsend names it.
 */
async function chatGuidOf(ctx: FacadeContext, client: HubClient, outcome: SendOutcome, plan: AnswerPlan, deadline: Deadline): Promise<string | undefined> {
  const answered = outcome.result?.['chat_guid'];
  if (typeof answered === 'string' && answered !== '') return answered;
  if (plan.chatGuid !== '') return plan.chatGuid;
  if (deadline.remaining() < 500) return undefined;
  const chats = (await listChats(ctx, client, deadline)).filter((c) => c.account === outcome.account);
  const chat =
    outcome.chat_id !== undefined
      ? chats.find((c) => c.id === outcome.chat_id)
      : chats.find((c) => !c.is_group && c.identifier.toLowerCase() === plan.target.replace(/^(imessage|sms|auto):/i, '').toLowerCase());
  return chat?.guid || undefined;
}

/**
 * `message.send_status {guid}` (§3.14) from the hub's send state and the receipts the account's
 * agent reported: the guid is a send.tracked attempt id (or any idempotency key the facade named in
 * an answer). `delivered` once the recipient's device acknowledged it (or read it). Unknown →
 * `pending` with no fields, as imsg answers for a guid it has no row for.
 */
export const messageSendStatus: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'message.send_status', ['guid']);
  const guid = (params.string('guid') ?? '').trim();
  if (guid === '') throw imsgError.invalidParams('guid is required');
  const client = await ctx.link.client(deadline);
  let outcome: SendOutcome | undefined;
  for (const key of new Set([guid.toLowerCase(), guid])) {
    outcome = await deadline.race(client.call('send.status', { idempotency_key: key }), 'reading the send state').catch((err: unknown) => {
      if (HubError.from(err)?.hubCode === 'NOT_FOUND') return undefined;
      throw err;
    });
    if (outcome) break;
  }
  const checkedAt = new Date().toISOString();
  if (!outcome) return { ok: true, guid, send_state: 'pending', service: null, checked_at: checkedAt, status_fields: null };
  const result = outcome.result ?? {};
  const receipt = result['delivery'];
  const delivered = outcome.state === 'sent' && (receipt === 'delivered' || receipt === 'read');
  const state =
    outcome.state === 'sent' ? (delivered ? 'delivered' : 'sent') : outcome.state === 'failed' || outcome.state === 'expired' ? 'failed' : 'pending';
  const at = (key: string) => (typeof result[key] === 'string' ? (result[key] as string) : null);
  const deliveredAt = delivered ? (at('delivered_at') ?? at('read_at')) : null;
  const service = result['service'];
  return {
    ok: true,
    guid,
    send_state: state,
    service: typeof service === 'string' && service !== '' ? service : null,
    checked_at: checkedAt,
    ...(deliveredAt ? { delivered_at: deliveredAt } : {}),
    status_fields: {
      is_sent: outcome.state === 'sent',
      is_delivered: delivered,
      is_finished: state !== 'pending',
      error: state === 'failed' ? (outcome.error?.code ?? 1) : 0,
      date_delivered: deliveredAt,
      date_read: receipt === 'read' ? at('read_at') : null,
      is_delayed: false,
      is_prepared: false,
      is_pending_satellite_send: false,
      was_downgraded: false,
    },
  };
};
