import { intParam, type Params } from '@imsg-hub/imsg-protocol';
import type { FacadeContext } from './facade-context.js';
import { toImsgChat } from './imsg-shape.js';
import type { Deadline } from './request-clock.js';

/** `chats.list {limit}` (reference §2.1): the hub's chats, newest activity first, in imsg's shape. */
export async function chatsList(ctx: FacadeContext, params: Params, deadline: Deadline): Promise<unknown> {
  const limit = Math.min(Math.max(intParam(params, 'limit') ?? 20, 1), 10_000);
  const client = await ctx.link.client(deadline);
  const { chats } = await deadline.race(client.call('chats.list', { limit, ...ctx.view.scope() }), 'listing chats');
  return { chats: chats.map((c) => toImsgChat(c, '0.9.0')) };
}
