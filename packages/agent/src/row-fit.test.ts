import type { Row } from '@imsg-hub/hub-protocol';
import { describe, expect, it } from 'vitest';
import { fitRow } from './row-fit.js';

const row = (text: string, participants: string[] = ['+15550001']): Row => ({
  rowid: 7,
  message: {
    id: 7,
    chat_id: 1,
    guid: 'G',
    sender: '+15550001',
    is_from_me: false,
    text,
    created_at: '2026-01-01T00:00:00.000Z',
    attachments: [],
    reactions: [],
    chat_identifier: 'c',
    chat_guid: 'iMessage;+;c',
    chat_name: '',
    participants,
    is_group: true,
  },
});

describe('fitRow', () => {
  it('leaves a row that fits alone', () => {
    const r = row('hello');
    expect(fitRow(r, 10_000)).toMatchObject({ row: r, truncated: false });
  });

  it('cuts an over-long text to fit, saying so, keeping ids and guid', () => {
    const out = fitRow(row('x'.repeat(50_000)), 20_000);
    expect(out.truncated).toBe(true);
    expect(out.bytes).toBeLessThanOrEqual(20_000);
    expect(out.row.message.text).toMatch(/\[cut by imsg-agent: this message was \d+ bytes, over the hub's frame limit; \d+ characters kept\]$/);
    expect(out.row.message).toMatchObject({ id: 7, guid: 'G', chat_guid: 'iMessage;+;c' });
  });

  it('drops participants too when the text alone is not the problem', () => {
    const out = fitRow(
      row(
        'short',
        Array.from({ length: 2000 }, (_, i) => `+1555${String(i).padStart(7, '0')}`),
      ),
      4_000,
    );
    expect(out.bytes).toBeLessThanOrEqual(4_000);
    expect(out.row.message.participants).toEqual([]);
  });

  it('drops the quoted text of the message replied to before cutting the message itself', () => {
    const r = row('after the big one');
    const quoting: Row = { ...r, message: { ...r.message, reply_to_guid: 'P', reply_to_text: 'z'.repeat(50_000) } };
    const out = fitRow(quoting, 20_000);
    expect(out.bytes).toBeLessThanOrEqual(20_000);
    expect(out.row.message.text).toBe('after the big one');
    expect(out.row.message.reply_to_text).toBeUndefined();
    expect(out.row.message.reply_to_guid).toBe('P');
  });
});
