import type { HubMessage } from '@imsg-hub/hub-protocol';
import { historyParams, imsgError, messagesAfterParams, type MessageWindow, positiveParam, requiredChatIdParam, StrictParams } from '@imsg-hub/imsg-protocol';
import { chatById } from '../chat-directory.js';
import { presentMessages, readHistory } from '../history-method.js';
import { toImsgChat, toImsgChatDetail } from '../imsg-shape.js';
import type { MessageFilter } from '../message-filter.js';
import type { V1Handler } from './v1-handler.js';

// The reads of imsg 0.15 (reference/imsg-protocol-v1.md §3.2–3.6), answered from the hub's store:
// imsg's strict params and error texts, hub ids in `id`/`chat_id`.

const V1 = '0.15.10' as const;

/** `participants`/`start`/`end` of history and watch, as the hub's filter (participants lower-cased). */
export function filterOf(w: MessageWindow): MessageFilter {
  return { participants: w.participants.map((p) => p.toLowerCase()), startMs: w.startMs, endMs: w.endMs };
}

/** `chats.list {limit?, unread_only?}`: newest activity first. The hub keeps no read state. */
export const chatsList: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'chats.list', ['limit', 'unread_only', 'unreadOnly']);
  const limit = Math.min(positiveParam(params, 'limit', 20), 10_000);
  if (params.boolean('unread_only', ['unreadOnly'])) {
    // What imsg says over a chat.db without a read-state column: the hub's store has none either.
    throw imsgError.invalidParams('unread_only is unavailable because this Messages database has no read-state column');
  }
  const client = await ctx.link.client(deadline);
  const { chats } = await deadline.race(client.call('chats.list', { limit, ...ctx.view.scope() }), 'listing chats');
  return { chats: chats.map((c) => toImsgChat(c, V1)) };
};

/** `chats.get {chat_id}`: the chat detail; an unknown id is -32602 `Chat not found: <id>`. */
export const chatsGet: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'chats.get', ['chat_id']);
  const chatId = requiredChatIdParam(params);
  const chat = await chatById(ctx, await ctx.link.client(deadline), chatId, deadline);
  if (!chat) throw imsgError.invalidParams(`Chat not found: ${chatId}`);
  return toImsgChatDetail(chat);
};

export const messagesHistory: V1Handler = async (ctx, call, deadline) => {
  const p = historyParams(call.params);
  return readHistory(ctx, { chatId: p.chatId, limit: p.limit, filter: filterOf(p), attachments: p.attachments }, deadline, V1);
};

/**
 * `messages.after {since_rowid, chat_id?, limit?, …}` (§3.5): oldest first after a hub id, with
 * `next_rowid` the cursor to pass next (the last id returned, or `since_rowid` when none was).
 */
export const messagesAfter: V1Handler = async (ctx, call, deadline) => {
  const { since, chatId, limit, attachments, includeReactions } = messagesAfterParams(call.params);
  const client = await ctx.link.client(deadline);
  let rows: HubMessage[];
  let truncated: boolean | undefined;
  try {
    const call = client.call('messages.after', {
      after: Math.max(since, 0),
      ...(ctx.view.account ? { accounts: [ctx.view.account], merged: false } : { merged: true }),
      ...(chatId !== undefined ? { chat_id: chatId } : {}),
      include_reactions: includeReactions,
      limit: limit + 1,
    });
    ({ messages: rows, truncated } = await deadline.race(call, 'reading messages'));
  } catch (err) {
    // A chat outside the accounts in view has no messages, as an unknown chat_id has none in imsg.
    if ((err as { data?: { code?: string } }).data?.code === 'NOT_FOUND') return { messages: [], next_rowid: since, has_more: false };
    throw err;
  }
  const page = rows.slice(0, limit);
  return {
    messages: await presentMessages(ctx, page, { attachments, reactions: true }, deadline, V1),
    next_rowid: page.length > 0 ? page.at(-1)!.id : since,
    // The hub cut the page at its answer budget: more follow.
    has_more: rows.length > limit || truncated === true,
  };
};

/** Hub search pages looked at to fill one imsg page (the hub matches words; imsg, substrings). */
const SEARCH_PAGES = 5;

/**
 * `messages.search {query, match?, limit?}` (§3.6): case-insensitive `contains` (or `exact`) on the
 * text, newest first, attachments always `[]`. The hub's word search finds the candidates; imsg's
 * substring rule then decides, so a match inside a word ("udge" in "budget") is not found.
 */
export const messagesSearch: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'messages.search', ['query', 'match', 'limit']);
  const query = params.string('query');
  if (query === undefined || query.trim() === '') throw imsgError.invalidParams('query is required');
  const match = params.string('match') ?? 'contains';
  if (match !== 'contains' && match !== 'exact') throw imsgError.invalidParams('match must be contains or exact');
  const limit = params.integer('limit') ?? 50;
  if (limit < 1 || limit > 100) throw imsgError.invalidParams('limit must be an integer between 1 and 100');
  const needle = query.toLowerCase();
  const matches = (text: string) => (match === 'exact' ? text.toLowerCase() === needle : text.toLowerCase().includes(needle));
  const client = await ctx.link.client(deadline);
  const found: HubMessage[] = [];
  let before: number | undefined;
  for (let page = 0; page < SEARCH_PAGES && found.length < limit; page++) {
    const call = client.call('messages.search', {
      query: query.slice(0, 500),
      ...(ctx.view.account ? { accounts: [ctx.view.account] } : {}),
      limit: 200,
      ...(before !== undefined ? { before } : {}),
    });
    const r = await deadline.race(call, 'searching');
    for (const m of r.messages) if (found.length < limit && matches(m.text)) found.push(m);
    if (r.next_before === undefined) break;
    before = r.next_before;
  }
  return { messages: await presentMessages(ctx, found, { attachments: false, reactions: true }, deadline, V1) };
};
