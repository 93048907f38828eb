import type { SendRequest } from '@imsg-hub/hub-protocol';
import { imsgError, ParamKeys, SEND_ATTACHMENT_KEYS, SEND_RICH_KEYS, StrictParams, unionKeys } from '@imsg-hub/imsg-protocol';
import type { FacadeContext } from '../facade-context.js';
import { uploadFile } from '../hub-submit.js';
import type { Deadline } from '../request-clock.js';
import { localPath, sendTarget } from '../send-plan.js';
import type { Operation } from './delivery-outcome.js';
import { callTimeout, hubMutation } from './hub-mutation.js';
import { sentAnswer } from './send-methods.js';
import type { V1Handler } from './v1-handler.js';

// send.rich, send.attachment and send.multipart of imsg 0.15 (reference/imsg-protocol-v1.md
// §3.15–3.17) as the hub's rich sends: a threaded reply through an account that holds the message,
// effects, subjects, voice messages and multipart texts, sent by the chat's account's imsg exactly
// once and answered with the message's guid and chat guid.

const RICH_OP: Operation = { transport: 'bridge_v2', operation: 'send-message', noun: 'the send' };
const ATTACHMENT_OP: Operation = { transport: 'bridge_v2', operation: 'send-attachment', noun: 'the attachment' };
const MULTIPART_OP: Operation = { transport: 'bridge_v2', operation: 'send-multipart', noun: 'the send' };

/** The hub send's target and the answer's chat guid, from the chat selector. */
function targetOf(params: StrictParams): { target: string; chatGuid: string } {
  const t = params.chatTarget();
  return { target: sendTarget({ to: '', chatId: t.chatId, chatIdentifier: t.chatIdentifier, chatGuid: t.chatGuid }, 'auto'), chatGuid: t.chatGuid };
}

function replyOf(params: StrictParams): { reply_to?: { guid: string; part_index?: number } } {
  const guid = params.string('reply_to', ['replyTo', 'reply_to_guid', 'message_guid'])?.trim();
  const part = params.integer('part_index', ['partIndex']);
  if (part !== undefined && part < 0) throw imsgError.invalidParams('part_index must be a non-negative integer');
  return guid ? { reply_to: { guid, ...(part !== undefined ? { part_index: part } : {}) } } : {};
}

/** Sends through the hub and answers `{ok, id, guid, message_id, chat_guid, …}`. */
async function richSend(
  ctx: FacadeContext,
  deadline: Deadline,
  op: Operation,
  to: { target: string; chatGuid: string },
  request: Omit<SendRequest, 'target'>,
  file: string | undefined,
): Promise<Record<string, unknown>> {
  const client = await ctx.link.client(deadline);
  const outcome = await hubMutation(ctx, deadline, op, async (c, p) => {
    const uploaded = file ? await uploadFile(ctx, c, file, deadline) : undefined;
    return c.call('send', { target: to.target, ...request, ...(uploaded ? { file: uploaded } : {}), ...ctx.view.scope(), ...p }, callTimeout(p));
  });
  return sentAnswer(ctx, client, outcome, { target: to.target, chatGuid: to.chatGuid, attemptId: undefined }, deadline);
}

/** `send.rich`: text and/or a file, as a reply, with an effect or a subject (rich links are not offered). */
export const sendRich: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'send.rich', SEND_RICH_KEYS);
  if (params.has('url')) throw imsgError.invalidParams('imsg-hub: url (rich link previews) is not available through the hub; send the link as text');
  const text = params.string('text', ['message']) ?? '';
  const file = params.string('file', ['path']) ?? '';
  if ((params.has('file') || params.has('path')) && file === '') throw imsgError.invalidParams('file must be a non-empty string');
  params.boolean('dd_scan', ['ddScan']);
  // Formatting ranges are accepted; the hub sends plain text.
  params.objectArray('text_formatting', ['textFormatting']);
  const effect = params.string('effect_id', ['effectId', 'effect']) || undefined;
  const subject = params.string('subject') || undefined;
  const reply = replyOf(params);
  const to = targetOf(params);
  if (text === '' && file === '') throw imsgError.invalidParams('text or file is required');
  const request = { ...(text ? { text } : {}), ...reply, ...(effect ? { effect } : {}), ...(subject ? { subject } : {}) };
  // Without a reply, an effect or a subject it is a plain send (the hub's `send`).
  return richSend(ctx, deadline, file ? ATTACHMENT_OP : RICH_OP, to, request, localPath(file));
};

/** `send.attachment {file, audio?, reply_to?, part_index?}`. */
export const sendAttachment: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'send.attachment', SEND_ATTACHMENT_KEYS);
  const file = params.string('file', ['path']);
  if (!file) throw imsgError.invalidParams('file is required');
  const audio = params.boolean('audio', ['is_audio', 'as_voice']) ?? false;
  const reply = replyOf(params);
  if (params.has('part_index') || params.has('partIndex')) {
    if (!reply.reply_to) throw imsgError.invalidParams('part_index requires reply_to');
  }
  const to = targetOf(params);
  return richSend(ctx, deadline, ATTACHMENT_OP, to, { ...reply, ...(audio ? { audio: true } : {}) }, localPath(file));
};

const PART_FORBIDDEN = ['file', 'attachment', 'mention', 'mentions'];

/** `send.multipart {parts:[{text}], effect?, subject?}`. */
export const sendMultipart: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'send.multipart', unionKeys(ParamKeys.chatTarget, ['parts', 'effect_id', 'effectId', 'effect', 'subject']));
  const raw = params.has('parts') ? params.objectArray('parts') : undefined;
  if (raw === undefined) throw imsgError.invalidParams('parts is required');
  if (raw.length < 1 || raw.length > 20) throw imsgError.invalidParams('parts must contain between 1 and 20 text parts');
  const parts = raw.map((p, i) => {
    const forbidden = PART_FORBIDDEN.find((k) => Object.hasOwn(p, k));
    if (forbidden) throw imsgError.invalidParams(`${forbidden} parts are not supported`);
    new StrictParams(p, `send.multipart parts[${i}]`, ['text', 'text_formatting', 'textFormatting']).objectArray('text_formatting', ['textFormatting']);
    const text = p['text'];
    if (typeof text !== 'string' || text === '') throw imsgError.invalidParams(`parts[${i}].text must be a non-empty string`);
    return { text };
  });
  const effect = params.string('effect_id', ['effectId', 'effect']) || undefined;
  const subject = params.string('subject') || undefined;
  const to = targetOf(params);
  const answer = await richSend(ctx, deadline, MULTIPART_OP, to, { parts, ...(effect ? { effect } : {}), ...(subject ? { subject } : {}) }, undefined);
  return { ...answer, ...(typeof answer['guid'] === 'string' ? { messageGuid: answer['guid'] } : {}), parts_count: parts.length };
};
