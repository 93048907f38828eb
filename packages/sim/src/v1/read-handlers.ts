import { appleNanosToIso, historyParams, imsgError, messagesAfterParams, positiveParam, requiredChatIdParam, StrictParams } from '@imsg-hub/imsg-protocol';
import type { V1Handler } from './v1-context.js';

// The database reads of imsg 0.15 (reference/imsg-protocol-v1.md §3.2–3.8, §3.14): strict params,
// then the database (-32002 while unreadable), then the query.

export const chatsList: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'chats.list', ['limit', 'unread_only', 'unreadOnly']);
  const limit = positiveParam(params, 'limit', 20);
  const unreadOnly = params.boolean('unread_only', ['unreadOnly']) ?? false;
  const reader = ctx.db.require();
  if (unreadOnly && !reader.schema.hasIsRead) {
    throw imsgError.invalidParams('unread_only is unavailable because this Messages database has no read-state column');
  }
  return { chats: reader.listChats(limit, unreadOnly) };
};

export const chatsGet: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'chats.get', ['chat_id']);
  const chatId = requiredChatIdParam(params);
  const detail = ctx.db.require().chatDetail(chatId);
  if (!detail) throw imsgError.invalidParams(`Chat not found: ${chatId}`);
  return detail;
};

export const messagesHistory: V1Handler = (ctx, call) => {
  const { chatId, limit, participants, startMs, endMs, attachments } = historyParams(call.params);
  const reader = ctx.db.require();
  return { messages: reader.history({ chatId, limit, participants, startMs, endMs, attachments }) };
};

export const messagesAfter: V1Handler = (ctx, call) => {
  // @baeade48: any integer; a negative cursor reads like 0 (rpcMessagesAfterLegacyNegativeCursorMatchesZeroReplay).
  const { since, chatId, limit, attachments, includeReactions } = messagesAfterParams(call.params);
  const reader = ctx.db.require();
  const cursor = Math.max(since, 0);
  // Scan one row past the limit: the page is full and more exist → has_more (MessagesAfterPage).
  const rows = reader.scan({ after: cursor, chatId, limit: limit + 1, includeReactions });
  const page = rows.slice(0, limit);
  const nextRowId = page.length > 0 ? page.at(-1)!.id : since;
  return {
    messages: reader.payloads(page, { chatId, attachments, reactions: true, events: includeReactions }),
    next_rowid: nextRowId,
    has_more: rows.length > limit,
  };
};

export const messagesSearch: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'messages.search', ['query', 'match', 'limit']);
  const query = params.string('query');
  if (query === undefined || query.trim() === '') throw imsgError.invalidParams('query is required');
  const match = params.string('match') ?? 'contains';
  if (match !== 'contains' && match !== 'exact') throw imsgError.invalidParams('match must be contains or exact');
  const limit = params.integer('limit') ?? 50;
  if (limit < 1 || limit > 100) throw imsgError.invalidParams('limit must be an integer between 1 and 100');
  return { messages: ctx.db.require().search(query, match === 'exact', limit) };
};

export const messageSendStatus: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'message.send_status', ['guid']);
  const guid = (params.string('guid') ?? '').trim();
  if (guid === '') throw imsgError.invalidParams('guid is required');
  const row = ctx.db.require().sendStatusRow(guid);
  const checkedAt = new Date().toISOString();
  if (!row) return { ok: true, guid, send_state: 'pending', service: null, checked_at: checkedAt, status_fields: null };
  const n = (k: string) => Number(row[k] ?? 0);
  const iso = (k: string) => (n(k) > 0 ? appleNanosToIso(n(k)) : null);
  const state = n('error') !== 0 ? 'failed' : n('is_delivered') !== 0 || n('date_delivered') > 0 ? 'delivered' : n('is_sent') !== 0 ? 'sent' : 'pending';
  const out: Record<string, unknown> = {
    ok: true,
    guid: row['guid'],
    send_state: state,
    service: row['service'] ? row['service'] : null,
    checked_at: checkedAt,
    status_fields: {
      is_sent: n('is_sent') !== 0,
      is_delivered: n('is_delivered') !== 0,
      is_finished: n('is_finished') !== 0,
      error: n('error'),
      date_delivered: iso('date_delivered'),
      date_read: iso('date_read'),
      is_delayed: n('is_delayed') !== 0,
      is_prepared: n('is_prepared') !== 0,
      is_pending_satellite_send: n('is_pending_satellite_send') !== 0,
      was_downgraded: n('was_downgraded') !== 0,
    },
  };
  const delivered = iso('date_delivered');
  if (delivered !== null) out['delivered_at'] = delivered;
  return out;
};
