import { describe, expect, it } from 'vitest';
import { matchesFilter, parseMessageFilter } from './message-filter.js';
import { parseWatchParams } from './watch-params.js';

describe('parseWatchParams', () => {
  it('maps since_rowid onto the hub sequence: absent/null/0 live, N after N, negative everything', () => {
    expect(parseWatchParams({}).since).toBeUndefined();
    expect(parseWatchParams({ since_rowid: null }).since).toBeUndefined();
    expect(parseWatchParams({ since_rowid: 0 }).since).toBeUndefined();
    expect(parseWatchParams({ since_rowid: '42' }).since).toBe(42);
    expect(parseWatchParams({ since_rowid: -1 }).since).toBe(0);
  });
  it('chat_id: a hub chat id; 0 or negative matches nothing, as in imsg', () => {
    expect(parseWatchParams({ chat_id: 7 })).toMatchObject({ chatId: 7, matchesNothing: false });
    expect(parseWatchParams({ chat_id: 0 })).toMatchObject({ chatId: undefined, matchesNothing: true });
  });
  it('validates debounce like imsg, before the dates', () => {
    expect(() => parseWatchParams({ debounce_ms: -1, start: 'bad' })).toThrow(
      expect.objectContaining({ code: -32602, data: 'debounce_ms must be a non-negative integer' }),
    );
    expect(() => parseWatchParams({ debounceMs: 'soon' })).toThrow(expect.objectContaining({ data: 'debounce_ms must be a non-negative integer' }));
    expect(parseWatchParams({ debounceMs: '125', attachments: 'true', include_reactions: 1 })).toMatchObject({ attachments: true, includeReactions: true });
    expect(() => parseWatchParams({ start: 'yesterday' })).toThrow(expect.objectContaining({ code: -32603, data: 'Invalid ISO8601 date: yesterday' }));
  });
});

describe('message filter', () => {
  const m = { sender: '+1555', created_at: '2026-05-16T15:00:00.000Z' };
  it('participants: case-insensitive, array or comma list; the sender falls back to destination_caller_id', () => {
    expect(matchesFilter(m, parseMessageFilter({ participants: '+1666, +1555' }))).toBe(true);
    expect(matchesFilter({ sender: 'Jane@X.com', created_at: m.created_at }, parseMessageFilter({ participants: ['jane@x.com'] }))).toBe(true);
    expect(matchesFilter({ sender: '', destination_caller_id: 'me@x.com', created_at: m.created_at }, parseMessageFilter({ participants: ['ME@x.com'] }))).toBe(
      true,
    );
    expect(matchesFilter(m, parseMessageFilter({ participants: ['+1666'] }))).toBe(false);
  });
  it('start inclusive, end exclusive', () => {
    expect(matchesFilter(m, parseMessageFilter({ start: m.created_at }))).toBe(true);
    expect(matchesFilter(m, parseMessageFilter({ end: m.created_at }))).toBe(false);
    expect(matchesFilter(m, parseMessageFilter({ start: '2026-05-16T16:00:00+02:00', end: '2026-05-16T15:00:00.001Z' }))).toBe(true);
  });
});
