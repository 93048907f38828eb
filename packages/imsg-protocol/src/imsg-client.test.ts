import { PassThrough } from 'node:stream';
import { LineStreamTransport } from '@imsg-hub/jsonrpc';
import { describe, expect, it } from 'vitest';
import { ImsgClient } from './imsg-client.js';
import type { ImsgMessage } from './message.js';

const message = (id: number) => ({
  id,
  chat_id: 1,
  guid: `g${id}`,
  sender: '+1',
  is_from_me: false,
  text: `t${id}`,
  created_at: '2026-01-01T00:00:00.000Z',
  attachments: [],
  reactions: [],
  chat_identifier: '+1',
  chat_guid: 'iMessage;-;+1',
  chat_name: '',
  participants: ['+1'],
  is_group: false,
});

describe('ImsgClient', () => {
  it('keeps notifications that arrive before the watch.subscribe response (§2.3 race)', async () => {
    const fromImsg = new PassThrough();
    const toImsg = new PassThrough();
    const client = new ImsgClient(new LineStreamTransport(fromImsg, toImsg));
    toImsg.once('data', () => {
      // imsg starts the subscription task before writing the response: replayed rows come first.
      fromImsg.write(
        [
          JSON.stringify({ jsonrpc: '2.0', method: 'message', params: { subscription: 1, message: message(1) } }),
          JSON.stringify({ jsonrpc: '2.0', method: 'message', params: { subscription: 1, message: message(2) } }),
          JSON.stringify({ jsonrpc: '2.0', id: 1, result: { subscription: 1 } }),
          JSON.stringify({ jsonrpc: '2.0', method: 'message', params: { subscription: 1, message: message(3) } }),
        ].join('\n') + '\n',
      );
    });
    const seen: ImsgMessage[] = [];
    const sub = await client.subscribe({ since_rowid: -1 }, { message: (m) => seen.push(m) });
    await new Promise((r) => setImmediate(r));
    expect(sub.id).toBe(1);
    expect(seen.map((m) => m.id)).toEqual([1, 2, 3]);
  });

  it('reports a message that does not validate instead of dropping it silently', async () => {
    const fromImsg = new PassThrough();
    const toImsg = new PassThrough();
    const client = new ImsgClient(new LineStreamTransport(fromImsg, toImsg));
    toImsg.once('data', () => fromImsg.write('{"jsonrpc":"2.0","id":1,"result":{"subscription":4}}\n'));
    const invalid: string[] = [];
    await client.subscribe({}, { message: () => undefined, invalid: (_raw, reason) => invalid.push(reason) });
    fromImsg.write('{"jsonrpc":"2.0","method":"message","params":{"subscription":4,"message":{"id":"x"}}}\n');
    await new Promise((r) => setImmediate(r));
    expect(invalid[0]).toMatch(/id/);
  });
});
