import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { PeerError, RpcError } from './errors.js';
import { Peer } from './peer.js';
import { LineStreamTransport } from './stream-transport.js';
import type { MessageTransport, TransportHandlers } from './transport.js';

/** Two peers joined by a pair of in-memory pipes (a unit test of the peer, not of any process). */
function pair(options: ConstructorParameters<typeof Peer>[1] = {}, serverOptions: ConstructorParameters<typeof Peer>[1] = {}) {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  const client = new Peer(new LineStreamTransport(bToA, aToB), options);
  const server = new Peer(new LineStreamTransport(aToB, bToA), serverOptions);
  return { client, server, aToB, bToA };
}

function rawClient() {
  const toPeer = new PassThrough();
  const fromPeer = new PassThrough();
  const lines: string[] = [];
  fromPeer.on('data', (c: Buffer) => lines.push(...c.toString().split('\n').filter(Boolean)));
  return { toPeer, fromPeer, lines };
}

describe('Peer', () => {
  it('resolves and rejects pending requests by id, keeping code/message/data', async () => {
    const { client } = pair(
      {},
      {
        onRequest: (method, params) => {
          if (method === 'fail') throw new RpcError(-32602, 'Invalid params', 'chat_id is required');
          return { echo: params };
        },
      },
    );
    await expect(client.request('echo', { a: 1 })).resolves.toEqual({ echo: { a: 1 } });
    const err = await client.request('fail').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RpcError);
    expect(err).toMatchObject({ code: -32602, message: 'Invalid params', data: 'chat_id is required' });
  });

  it('delivers notifications (method, no id) in order with responses', async () => {
    const seen: string[] = [];
    const { client, server } = pair(
      { onNotification: (m) => seen.push(`n:${m}`) },
      {
        onRequest: async () => {
          await server.notify('first');
          await server.notify('second');
          return 'ok';
        },
      },
    );
    const r = await client.request('go');
    seen.push(`r:${String(r)}`);
    expect(seen).toEqual(['n:first', 'n:second', 'r:ok']);
  });

  it('times out a request with a clear error and ignores the late answer', async () => {
    vi.useFakeTimers();
    try {
      const raw = rawClient();
      const client = new Peer(new LineStreamTransport(raw.toPeer, raw.fromPeer));
      const p = client.request('slow', {}, { timeoutMs: 100 });
      vi.advanceTimersByTime(101);
      await expect(p).rejects.toMatchObject({ failure: 'RPC_TIMEOUT', message: 'slow timed out after 100 ms' });
      raw.toPeer.write('{"jsonrpc":"2.0","id":1,"result":"late"}\n');
      expect(client.pendingCount).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('rejects every pending request when the stream closes, and later calls too', async () => {
    const raw = rawClient();
    const client = new Peer(new LineStreamTransport(raw.toPeer, raw.fromPeer));
    const a = client.request('a');
    const b = client.request('b');
    raw.toPeer.end();
    await expect(a).rejects.toMatchObject({ failure: 'PEER_CLOSED' });
    await expect(b).rejects.toThrow(/b failed: connection closed/);
    await expect(client.request('c')).rejects.toBeInstanceOf(PeerError);
  });

  it('rejects only the request being written when the write fails (EPIPE), never unhandled', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const client = new Peer(new LineStreamTransport(input, output));
    output.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await new Promise((r) => setImmediate(r));
    await expect(client.request('x')).rejects.toMatchObject({ failure: 'WRITE_FAILED' });
  });

  it('as a server, answers malformed input when asked to and survives it', async () => {
    const raw = rawClient();
    const errors: Error[] = [];
    new Peer(new LineStreamTransport(raw.toPeer, raw.fromPeer), {
      answerInvalid: true,
      onProtocolError: (e) => errors.push(e),
      onRequest: () => 'pong',
    });
    raw.toPeer.write('not json\n[]\n{"jsonrpc":"2.0","id":3,"method":"ping"}\n');
    await new Promise((r) => setTimeout(r, 20));
    const replies = raw.lines.map((l) => JSON.parse(l) as { id: unknown; error?: { code: number }; result?: unknown });
    expect(replies.map((r) => r.error?.code ?? r.result)).toEqual([-32700, -32600, 'pong']);
    expect(errors).toHaveLength(2);
  });

  it('as a client, logs unparseable lines and writes nothing back', async () => {
    const raw = rawClient();
    const errors: string[] = [];
    new Peer(new LineStreamTransport(raw.toPeer, raw.fromPeer), { onProtocolError: (_e, text) => errors.push(text ?? '') });
    raw.toPeer.write('garbage line\n');
    await new Promise((r) => setTimeout(r, 10));
    expect(errors).toEqual(['garbage line']);
    expect(raw.lines).toEqual([]);
  });

  it('escapes U+2028 in what it writes', async () => {
    const raw = rawClient();
    const peer = new Peer(new LineStreamTransport(raw.toPeer, raw.fromPeer));
    await peer.notify('n', { t: 'a\u2028b' });
    expect(raw.lines).toEqual(['{"jsonrpc":"2.0","method":"n","params":{"t":"a\\u2028b"}}']);
  });

  it('answers a call nested past the depth bound with an error naming the limit, never running its handler', async () => {
    const raw = rawClient();
    const called: string[] = [];
    const errors: Error[] = [];
    new Peer(new LineStreamTransport(raw.toPeer, raw.fromPeer), {
      bounds: { maxDepth: 16 },
      onProtocolError: (e) => errors.push(e),
      onRequest: (m) => called.push(m),
      onNotification: (m) => void called.push(m),
    });
    const deep = '['.repeat(50_000) + ']'.repeat(50_000);
    raw.toPeer.write(`{"jsonrpc":"2.0","id":"a1","method":"rows","params":{"x":${deep}}}\n`);
    raw.toPeer.write(`{"jsonrpc":"2.0","method":"note","params":${deep}}\n`);
    raw.toPeer.write('{"jsonrpc":"2.0","id":2,"method":"ok"}\n');
    await new Promise((r) => setTimeout(r, 20));
    const replies = raw.lines.map((l) => JSON.parse(l) as { id: unknown; error?: { code: number; data?: string } });
    expect(replies[0]).toMatchObject({ id: 'a1', error: { code: -32600, data: expect.stringContaining('the limit is 16') } });
    expect(replies).toHaveLength(2); // the notification has no id: nothing to answer
    expect(called).toEqual(['ok']);
    expect(errors.map((e) => (e as PeerError).failure)).toEqual(['FRAME_TOO_DEEP', 'FRAME_TOO_DEEP']);
  });

  it('fails a request whose answer is nested past the bound, with the limit in the error', async () => {
    const raw = rawClient();
    const client = new Peer(new LineStreamTransport(raw.toPeer, raw.fromPeer), { bounds: { maxDepth: 8 } });
    const p = client.request('history');
    raw.toPeer.write(`{"jsonrpc":"2.0","id":1,"result":${'['.repeat(20)}${']'.repeat(20)}}\n`);
    await expect(p).rejects.toMatchObject({ failure: 'FRAME_TOO_DEEP', max: 8 });
  });

  it('with maxConcurrent, stops reading while that many calls run, then takes the rest in order', async () => {
    const raw = rawClient();
    const started: number[] = [];
    const release: (() => void)[] = [];
    const peer = new Peer(new LineStreamTransport(raw.toPeer, raw.fromPeer), {
      maxConcurrent: 2,
      onRequest: async (_m, params) => {
        started.push((params as { n: number }).n);
        await new Promise<void>((r) => release.push(r));
        return (params as { n: number }).n;
      },
    });
    raw.toPeer.write([1, 2, 3, 4].map((n) => JSON.stringify({ jsonrpc: '2.0', id: n, method: 'work', params: { n } })).join('\n') + '\n');
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual([1, 2]);
    expect(peer.activeCount).toBe(4);
    expect(raw.toPeer.isPaused()).toBe(true);
    release.shift()!();
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual([1, 2, 3]);
    for (const r of release.splice(0)) r();
    await new Promise((r) => setTimeout(r, 10));
    release.shift()!();
    await new Promise((r) => setTimeout(r, 10));
    expect(started).toEqual([1, 2, 3, 4]);
    expect(raw.lines.map((l) => (JSON.parse(l) as { result: number }).result)).toEqual([1, 2, 3, 4]);
    expect(raw.toPeer.isPaused()).toBe(false);
  });

  it('discardInput ignores everything read afterwards', async () => {
    const raw = rawClient();
    const called: string[] = [];
    const peer = new Peer(new LineStreamTransport(raw.toPeer, raw.fromPeer), {
      answerInvalid: true,
      onRequest: (m) => {
        called.push(m);
        if (m === 'stop') peer.discardInput();
        return 'ok';
      },
    });
    raw.toPeer.write('{"jsonrpc":"2.0","id":1,"method":"stop"}\n{"jsonrpc":"2.0","id":2,"method":"more"}\nnot json\n');
    await new Promise((r) => setTimeout(r, 10));
    expect(called).toEqual(['stop']);
    expect(raw.lines).toHaveLength(1);
  });

  it('with maxConcurrent, starts no call while the transport reports output pressure', async () => {
    let handlers!: TransportHandlers;
    const holds = new Set<string>();
    const transport: MessageTransport = {
      attach: (h) => {
        handlers = h;
      },
      send: async () => undefined,
      close: async () => undefined,
      holdReading: (r) => void holds.add(r),
      releaseReading: (r) => void holds.delete(r),
    };
    const started: number[] = [];
    new Peer(transport, { maxConcurrent: 4, onRequest: (_m, p) => void started.push((p as { n: number }).n) });
    handlers.outputPressure?.(true);
    for (const n of [1, 2, 3]) handlers.message(JSON.stringify({ jsonrpc: '2.0', id: n, method: 'w', params: { n } }));
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toEqual([]);
    handlers.outputPressure?.(false);
    await new Promise((r) => setTimeout(r, 5));
    expect(started).toEqual([1, 2, 3]);
    expect(holds.size).toBe(0);
  });

  it('with maxMessagesPerTurn, handles that many messages per event-loop turn, the rest in order on later turns', async () => {
    const raw = rawClient();
    const seen: number[] = [];
    new Peer(new LineStreamTransport(raw.toPeer, raw.fromPeer), {
      maxMessagesPerTurn: 3,
      onNotification: (_m, p) => void seen.push((p as { n: number }).n),
    });
    raw.toPeer.write(Array.from({ length: 10 }, (_, n) => JSON.stringify({ jsonrpc: '2.0', method: 'n', params: { n } })).join('\n') + '\n');
    await new Promise((r) => process.nextTick(r));
    expect(seen).toEqual([0, 1, 2]);
    expect(raw.toPeer.isPaused()).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(raw.toPeer.isPaused()).toBe(false);
  });
});
