import { describe, expect, it } from 'vitest';
import { RowsParamsSchema } from './agent-methods.js';
import { jsonBoundsProblem } from './json-bounds.js';
import { parseParams } from './method-table.js';

function nest(levels: number): unknown {
  let v: unknown = 'leaf';
  for (let i = 0; i < levels; i++) v = { k: v };
  return v;
}

const message = (extra: Record<string, unknown> = {}) => ({
  id: 1,
  chat_id: 1,
  guid: 'g-1',
  sender: '+15551230000',
  is_from_me: false,
  text: 'hi',
  created_at: '2026-01-01T00:00:00.000Z',
  attachments: [],
  reactions: [],
  chat_identifier: '+15551230000',
  chat_guid: 'iMessage;-;+15551230000',
  chat_name: '',
  participants: ['+15551230000'],
  is_group: false,
  ...extra,
});

describe('JSON bounds in the wire schemas', () => {
  it('measures nesting and size without recursion, stopping early', () => {
    expect(jsonBoundsProblem(nest(200_000), { depth: 64 })).toMatch(/more than 64 levels/);
    expect(jsonBoundsProblem({ a: 'x'.repeat(2000) }, { depth: 4, bytes: 1000 })).toMatch(/over 1000 bytes/);
    expect(jsonBoundsProblem({ a: [1, { b: null }] }, { depth: 3, bytes: 1000 })).toBeUndefined();
  });

  it('keeps unknown keys of a row within bounds and refuses them past, naming the limit', () => {
    const ok = RowsParamsSchema.parse({ account: 'a', epoch: 1, rows: [{ rowid: 1, message: message({ new_field: { x: [1, 2] } }) }] });
    expect(ok.rows[0]!.message).toMatchObject({ new_field: { x: [1, 2] } });
    expect(() => parseParams('rows', { account: 'a', epoch: 1, rows: [{ rowid: 1, message: message({ deep: nest(40) }) }] })).toThrow(
      /rows\.0\.message: nests more than 16 levels.*the limit is 16/,
    );
    expect(() => parseParams('rows', { account: 'a', epoch: 1, rows: [{ rowid: 1, message: message({ blob: 'x'.repeat(70_000) }) }] })).toThrow(
      /unknown keys are over 65536 bytes/,
    );
    const attachment = {
      filename: 'f',
      transfer_name: 'f',
      uti: 'u',
      mime_type: 'm',
      total_bytes: 1,
      is_sticker: false,
      original_path: '/p',
      missing: false,
      odd: nest(12),
    };
    expect(() => parseParams('rows', { account: 'a', epoch: 1, rows: [{ rowid: 1, message: message({ attachments: [attachment] }) }] })).toThrow(
      /attachments\.0: nests more than 8 levels/,
    );
  });

  it('bounds free-form params and error data', () => {
    expect(() => parseParams('imsg.call', { account: 'a', method: 'typing', params: nest(20) })).toThrow(/params: nests more than 8 levels/);
    expect(() => parseParams('send.dispatch', { key: 'k', account: 'a', params: { to: 'x', text: 'y', z: nest(20) } })).toThrow(/more than 8 levels/);
  });
});
