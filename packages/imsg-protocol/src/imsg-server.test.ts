import { PassThrough } from 'node:stream';
import { LineStreamTransport } from '@imsg-hub/jsonrpc';
import { describe, expect, it } from 'vitest';
import { ImsgRpcServer, type ImsgBackend } from './imsg-server.js';

describe('ImsgRpcServer', () => {
  it('answers, in order, every request it read before stdin EOF, then exits (a piped client gets its answers)', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const lines: string[] = [];
    output.on('data', (c: Buffer) => lines.push(...c.toString().split('\n').filter(Boolean)));
    let closed = false;
    const backend: ImsgBackend = {
      handle: async (method) => {
        await new Promise((r) => setTimeout(r, 30)); // a slow send
        return { ok: true, method };
      },
      close: () => {
        closed = true;
      },
    };
    const server = new ImsgRpcServer(new LineStreamTransport(input, output), backend);
    input.end('{"jsonrpc":"2.0","id":1,"method":"send"}\n{"jsonrpc":"2.0","id":2,"method":"chats.list"}\n{"jsonrpc":"2.0","method":"no-id"}\n');
    expect(await server.finished).toBe(0);
    expect(closed).toBe(true);
    expect(lines.map((l) => JSON.parse(l) as { id: number; result: { method: string } })).toEqual([
      { jsonrpc: '2.0', id: 1, result: { ok: true, method: 'send' } },
      { jsonrpc: '2.0', id: 2, result: { ok: true, method: 'chats.list' } },
    ]);
  });
});
