import { ImsgCallResultSchema } from '@imsg-hub/hub-protocol';
import { imsgError, ParamKeys, StrictParams, unionKeys, type ImsgV1Call } from '@imsg-hub/imsg-protocol';
import type { FacadeContext } from '../facade-context.js';
import type { Deadline } from '../request-clock.js';
import { refusal } from './delivery-outcome.js';
import type { V1Handler } from './v1-handler.js';

// typing / read of imsg 0.15 (§3.20): checked as imsg checks them, then passed by the hub to the
// imsg of the account that owns the chat (`chat_id` is a hub chat id; `to` is routed like a send).
// Every shape OpenClaw sends: {chat_id, typing}, {to, typing, service?}, {chat_guid}, {chat_id}.

const TYPING_SERVICES = new Set(['imessage', 'sms', 'auto']);

async function pass(ctx: FacadeContext, call: ImsgV1Call, deadline: Deadline, params: Record<string, unknown>, chatId: number | undefined): Promise<unknown> {
  const method = call.method as 'typing' | 'read';
  try {
    const client = await ctx.link.client(deadline);
    const raw = await deadline.race(client.request('imsg.call', { ...ctx.view.scope(), method, params }, deadline.remaining()), method);
    return ImsgCallResultSchema.parse(raw);
  } catch (err) {
    throw refusal(
      err,
      {
        transport: 'bridge_v2',
        operation: method === 'typing' ? 'typing' : 'mark-read',
        noun: method === 'typing' ? 'the typing indicator' : 'the read receipt',
      },
      { chatId },
    );
  }
}

function targetParams(params: StrictParams): { selector: Record<string, unknown>; chatId: number | undefined } {
  const t = params.recipientOrChatTarget();
  if (t.recipient) return { selector: { to: t.recipient }, chatId: undefined };
  if (t.chatId !== undefined) return { selector: { chat_id: t.chatId }, chatId: t.chatId };
  return { selector: t.chatGuid ? { chat_guid: t.chatGuid } : { chat_identifier: t.chatIdentifier }, chatId: undefined };
}

export const typing: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'typing', unionKeys(ParamKeys.chatTarget, ['to', 'typing', 'service']));
  const { selector, chatId } = targetParams(params);
  const on = params.boolean('typing') ?? true;
  const service = params.string('service');
  if (service !== undefined && !TYPING_SERVICES.has(service.toLowerCase())) throw imsgError.invalidParams(service);
  return pass(
    ctx,
    call,
    deadline,
    { ...selector, typing: on, ...(service !== undefined && 'to' in selector ? { service: service.toLowerCase() } : {}) },
    chatId,
  );
};

export const read: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'read', unionKeys(ParamKeys.chatTarget, ['to']));
  const { selector, chatId } = targetParams(params);
  return pass(ctx, call, deadline, selector, chatId);
};
