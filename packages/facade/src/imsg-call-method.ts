import { ImsgCallResultSchema } from '@imsg-hub/hub-protocol';
import { imsgError, intParam, stringParam, type Params } from '@imsg-hub/imsg-protocol';
import type { FacadeContext } from './facade-context.js';
import { toImsgRpcError } from './facade-errors.js';
import type { Deadline } from './request-clock.js';

const TYPING_SERVICES = new Set(['imessage', 'sms', 'auto']);

/**
 * `typing` / `read` (imsg bridge methods, reference §6): checked as imsg checks them, then passed
 * by the hub to the imsg of the account that owns the chat (routed like a send). Its answer, or its
 * error verbatim (an imsg without the bridge refuses them).
 */
export async function imsgCall(ctx: FacadeContext, method: 'typing' | 'read', params: Params, deadline: Deadline): Promise<unknown> {
  const to = stringParam(params, 'to') ?? '';
  const chatId = intParam(params, 'chat_id');
  const hasChat = chatId !== undefined || (stringParam(params, 'chat_identifier') ?? '') !== '' || (stringParam(params, 'chat_guid') ?? '') !== '';
  if (to !== '' && hasChat) throw imsgError.invalidParams('use to or chat_*; not both');
  if (to === '' && !hasChat) throw imsgError.invalidParams('chat_guid, chat_identifier, or chat_id is required');
  if (method === 'typing' && !TYPING_SERVICES.has((stringParam(params, 'service') ?? 'imessage').toLowerCase())) {
    throw imsgError.invalidParams('invalid service');
  }
  const client = await ctx.link.client(deadline);
  try {
    const raw = await deadline.race(client.request('imsg.call', { ...ctx.view.scope(), method, params }, deadline.remaining()), method);
    return ImsgCallResultSchema.parse(raw);
  } catch (err) {
    throw toImsgRpcError(err, { chatId });
  }
}
