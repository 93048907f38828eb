import { appleNanosToIso, imsgError, StrictParams } from '@imsg-hub/imsg-protocol';
import { appleNanosFromMs } from '../apple-date.js';
import { messageText } from '../message-payload.js';
import { reactionExclusion } from '../message-row.js';
import type { V1Handler } from './v1-context.js';

// messages.stats and messages.scheduled (reference/imsg-protocol-v1.md §3.7–3.8, §4.8). The stats
// element shapes are UNCERTAIN; these follow the older MessageStore+Stats.swift.

function validTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const messagesStats: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'messages.stats', ['chat_id', 'time_zone', 'include_media']);
  const chatId = params.integer('chat_id');
  if (chatId !== undefined && chatId <= 0) throw imsgError.invalidParams(`chat_id must be a positive rowid (received ${chatId})`);
  const timeZone = params.string('time_zone') ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!validTimeZone(timeZone)) throw imsgError.invalidParams(`invalid IANA time zone: ${timeZone}`);
  const includeMedia = params.boolean('include_media') ?? false;
  const reader = ctx.db.require();
  if (chatId !== undefined && !reader.chatRow(chatId)) throw imsgError.invalidParams(`chat_id ${chatId} does not exist`);
  const rows = reader
    .stmt(
      `SELECT m.is_from_me AS me, IFNULL(m.service, '') AS service, m.date AS date, IFNULL(h.id, '') AS sender, cmj.chat_id AS chat_id
       FROM message m JOIN chat_message_join cmj ON cmj.message_id = m.ROWID LEFT JOIN handle h ON h.ROWID = m.handle_id
       WHERE 1 = 1${reactionExclusion(reader.schema)} ${chatId === undefined ? '' : 'AND cmj.chat_id = ?'}`,
    )
    .all(...(chatId === undefined ? [] : [chatId])) as { me: number; service: string; date: number | null; sender: string; chat_id: number }[];
  const day = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const count = <K>(key: (r: (typeof rows)[number]) => K) => {
    const m = new Map<K, number>();
    for (const r of rows) m.set(key(r), (m.get(key(r)) ?? 0) + 1);
    return [...m.entries()].sort((a, b) => b[1] - a[1]);
  };
  const out: Record<string, unknown> = {
    total_messages: rows.length,
    sent_messages: rows.filter((r) => r.me !== 0).length,
    received_messages: rows.filter((r) => r.me === 0).length,
    time_zone: timeZone,
    chats: count((r) => r.chat_id).map(([id, n]) => {
      const chat = reader.chatRow(id);
      return {
        chat_id: id,
        identifier: chat?.identifier ?? '',
        name: chat?.display_name || chat?.identifier || '',
        service: chat?.service ?? '',
        message_count: n,
      };
    }),
    senders: count((r) => (r.me !== 0 ? 'me' : r.sender)).map(([sender, n]) => ({ sender, message_count: n })),
    services: count((r) => r.service).map(([service, n]) => ({ service, message_count: n })),
    dates: count((r) => day.format(new Date(Number(r.date ?? 0) / 1e6 + 978_307_200_000)))
      .sort((a, b) => a[0].localeCompare(b[0]))
      .map(([date, n]) => ({ date, message_count: n })),
  };
  if (includeMedia) out['media'] = { total_attachments: 0, total_bytes: 0, types: [], chats: [] };
  return out;
};

export const messagesScheduled: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'messages.scheduled', ['limit']);
  const limit = params.integer('limit') ?? 50;
  if (limit <= 0) throw imsgError.invalidParams('limit must be a positive integer');
  const reader = ctx.db.require();
  if (!reader.schema.hasScheduleColumns)
    throw imsgError.invalidParams('messages.scheduled is unavailable because this Messages database has no scheduling columns');
  const rows = reader
    .stmt(
      `SELECT m.ROWID AS id, m.guid AS guid, IFNULL(m.text, '') AS text, m.attributedBody AS attributed_body, IFNULL(m.service, '') AS service,
       m.date AS date, IFNULL(m.schedule_type, 0) AS schedule_type, IFNULL(m.schedule_state, 0) AS schedule_state, cmj.chat_id AS chat_id
       FROM message m LEFT JOIN chat_message_join cmj ON cmj.message_id = m.ROWID
       WHERE (IFNULL(m.schedule_type, 0) <> 0 OR IFNULL(m.schedule_state, 0) <> 0) AND m.date >= ? ORDER BY m.date ASC, m.ROWID ASC LIMIT ?`,
    )
    .all(appleNanosFromMs(Date.now()), limit) as Record<string, unknown>[];
  return {
    messages: rows.map((r) => {
      const chat = reader.chatRow(Number(r['chat_id'] ?? 0));
      return {
        id: r['id'],
        guid: r['guid'],
        chat_id: r['chat_id'] ?? 0,
        chat_identifier: chat?.identifier ?? '',
        chat_guid: chat?.guid ?? '',
        chat_name: chat?.display_name ?? chat?.identifier ?? '',
        text: messageText({ text: String(r['text']), attributed_body: (r['attributed_body'] as Buffer | null) ?? null }),
        service: r['service'],
        scheduled_at: appleNanosToIso(r['date'] as number),
        schedule_type: r['schedule_type'],
        schedule_state: r['schedule_state'],
      };
    }),
  };
};
