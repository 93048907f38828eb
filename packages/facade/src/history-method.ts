import { HubError, type HubMessage } from '@imsg-hub/hub-protocol';
import { boolParam, imsgError, intParam, type Params } from '@imsg-hub/imsg-protocol';
import type { FacadeContext } from './facade-context.js';
import { toImsgMessage, stripAttachment, type FacadeMessage } from './imsg-shape.js';
import { isFiltering, matchesFilter, parseMessageFilter, type MessageFilter } from './message-filter.js';
import type { Deadline } from './request-clock.js';
import type { ImsgVersion } from './status.js';

/** The most the hub hands out per history page. */
const MAX_PAGE = 10_000;

/** A `messages.history` request, validated. */
export interface HistoryQuery {
  chatId: number;
  limit: number;
  filter: MessageFilter;
  attachments: boolean;
}

/** `messages.history` of imsg 0.9.0: lenient params (reference §2.2). */
export async function messagesHistory(ctx: FacadeContext, params: Params, deadline: Deadline): Promise<unknown> {
  const chatId = intParam(params, 'chat_id');
  if (chatId === undefined) throw imsgError.invalidParams('chat_id is required');
  const filter = parseMessageFilter(params);
  const limit = Math.max(intParam(params, 'limit') ?? 50, 1);
  const attachments = boolParam(params, 'attachments') ?? false;
  if (chatId <= 0) return { messages: [] };
  return readHistory(ctx, { chatId, limit, filter, attachments }, deadline, '0.9.0');
}

/**
 * `messages.history` as imsg answers it: newest first, `participants`/`start`/`end` applied before
 * `limit`, tapback rows left out but aggregated into each message's `reactions`, attachments only
 * when asked. An unknown chat is an empty list, not an error.
 */
export async function readHistory(ctx: FacadeContext, q: HistoryQuery, deadline: Deadline, version: ImsgVersion): Promise<{ messages: FacadeMessage[] }> {
  const { chatId, limit, filter } = q;
  const client = await ctx.link.client(deadline);
  const picked: HubMessage[] = [];
  const page = Math.min(isFiltering(filter) ? Math.max(limit, 200) : limit, MAX_PAGE);
  let before: number | undefined;
  while (picked.length < limit) {
    let messages: HubMessage[];
    let truncated: boolean | undefined;
    try {
      const call = client.call('messages.history', { chat_id: chatId, limit: page, ...(before !== undefined ? { before } : {}), ...ctx.view.scope() });
      ({ messages, truncated } = await deadline.race(call, 'reading history'));
    } catch (err) {
      if (HubError.from(err)?.hubCode === 'NOT_FOUND') return { messages: [] };
      throw err;
    }
    for (const m of messages) if (picked.length < limit && matchesFilter(m, filter)) picked.push(m);
    if (messages.length < page && !truncated) break; // a page cut at the hub's answer budget goes on
    // Pages go back in hub order (arrival). With `start`, stop at a page that is entirely older than
    // it (by more than an hour of slack) and holds no replayed rows, which can arrive out of date order.
    if (filter.startMs !== undefined && messages.every((m) => !m.replay && Date.parse(m.created_at) < filter.startMs! - 3_600_000)) break;
    before = messages[messages.length - 1]!.id;
  }
  // imsg orders by date; hub ids follow arrival, which a late replay can put out of date order.
  picked.sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id - a.id);
  return { messages: await presentMessages(ctx, picked, { attachments: q.attachments, reactions: true }, deadline, version) };
}

/**
 * Hub messages in imsg's shape: current tapbacks aggregated (when asked), attachments fetched into
 * the cache (when asked; bytes the hub lacks are `missing`).
 */
export async function presentMessages(
  ctx: FacadeContext,
  messages: readonly HubMessage[],
  o: { attachments: boolean; reactions: boolean },
  deadline: Deadline,
  version: ImsgVersion,
): Promise<FacadeMessage[]> {
  const client = await ctx.link.client(deadline);
  const reactions = o.reactions ? await deadline.race(ctx.view.reactionsOf(client, messages), 'reading tapbacks') : new Map();
  const out: FacadeMessage[] = [];
  for (const m of messages) {
    const files =
      o.attachments && m.attachments.length > 0
        ? await deadline
            .race(ctx.cache.localize(client, m.attachments, false), 'fetching attachments')
            .catch(() => m.attachments.map((a) => ({ ...stripAttachment(a), missing: true })))
        : [];
    out.push(toImsgMessage(m, { attachments: files, reactions: m.is_reaction ? [] : (reactions.get(m.guid) ?? []) }, version));
  }
  return out;
}
