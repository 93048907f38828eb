import { PassThrough } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { LineStreamTransport } from '@imsg-hub/jsonrpc';
import { describe, expect, it } from 'vitest';
import { DeliveryFailure } from './errors-v1.js';
import { AfterResponse, ImsgV1RpcServer, type ImsgV1Backend, type ImsgV1Call } from './rpc-server-v1.js';

type Json = Record<string, any>;

/** A server over in-memory pipes; `gate` holds handlers until released. */
function harness(handle: (call: ImsgV1Call) => Promise<unknown>, options = {}) {
  const input = new PassThrough();
  const output = new PassThrough();
  const out: Json[] = [];
  output.on('data', (c: Buffer) =>
    out.push(
      ...c
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Json),
    ),
  );
  let closed = false;
  const backend: ImsgV1Backend = {
    handle,
    close: async () => {
      closed = true;
    },
  };
  const server = new ImsgV1RpcServer(new LineStreamTransport(input, output), backend, options);
  const send = (...lines: unknown[]) => input.write(lines.map((l) => (typeof l === 'string' ? l : JSON.stringify(l))).join('\n') + '\n');
  return { server, input, out, send, closed: () => closed };
}

const req = (id: unknown, method: string, params: unknown = {}) => ({ jsonrpc: '2.0', id, method, params });

describe('ImsgV1RpcServer lanes, limits and shutdown (reference/imsg-protocol-v1.md §2.5–2.7)', () => {
  it('reads run four at a time and may answer out of order; mutations stay FIFO', async () => {
    const started: string[] = [];
    const h = harness(async (call) => {
      started.push(String(call.params['tag']));
      await sleep(Number(call.params['ms'] ?? 0));
      return { tag: call.params['tag'] };
    });
    h.send(req('slow', 'chats.list', { tag: 'slow', ms: 150 }), req('fast', 'messages.history', { tag: 'fast', ms: 1 }));
    h.send(req('m1', 'send', { tag: 'm1', ms: 60 }), req('m2', 'tapback', { tag: 'm2', ms: 1 }));
    h.input.end();
    expect(await h.server.finished).toBe(0);
    const ids = h.out.map((o) => o['id']);
    expect(ids.indexOf('fast')).toBeLessThan(ids.indexOf('slow'));
    expect(ids.indexOf('m1')).toBeLessThan(ids.indexOf('m2'));
    expect(h.closed()).toBe(true);
  });

  it('control does not wait behind a busy mutation lane', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    const h = harness(async (call) => {
      if (call.method === 'send') await blocked;
      return { ok: call.method };
    });
    h.send(req(1, 'send'), req(2, 'watch.unsubscribe', { subscription: 1 }));
    await sleep(30);
    expect(h.out.map((o) => o['id'])).toEqual([2]);
    release();
    h.input.end();
    await h.server.finished;
    expect(h.out.map((o) => o['id'])).toEqual([2, 1]);
  });

  it('over 128 outstanding: -32000 for identified requests, silence for notifications, framing errors still answered', async () => {
    let release!: () => void;
    const blocked = new Promise<void>((r) => {
      release = r;
    });
    const h = harness(async () => {
      await blocked;
      return {};
    });
    for (let i = 0; i < 128; i++) h.send(req(i, 'chats.list'));
    h.send(req('over', 'chats.list'), { jsonrpc: '2.0', method: 'chats.list' }, 'not-json');
    await sleep(30);
    expect(h.server.outstanding).toBe(128);
    expect(h.out).toEqual([
      { jsonrpc: '2.0', id: 'over', error: { code: -32000, message: 'Server busy', data: 'outstanding request limit exceeded' } },
      { jsonrpc: '2.0', id: null, error: expect.objectContaining({ code: -32700 }) },
    ]);
    release();
    h.input.end();
    await h.server.finished;
    expect(h.out).toHaveLength(130);
  });

  it('still_in_flight poisons the mutation lane (-32004); reads keep working; may_have_completed does not poison', async () => {
    const h = harness(async (call) => {
      if (call.params['fail']) throw new DeliveryFailure(call.params['fail'] as 'still_in_flight', 'bridge_v2', 'send-message', 'x');
      return { ok: true };
    });
    h.send(
      req(1, 'send', { fail: 'may_have_completed' }),
      req(2, 'send'),
      req(3, 'send', { fail: 'still_in_flight' }),
      req(4, 'tapback'),
      req(5, 'chats.list'),
    );
    h.send({ jsonrpc: '2.0', method: 'send' });
    h.input.end();
    await h.server.finished;
    const byId = new Map(h.out.map((o) => [o['id'], o]));
    expect(byId.get(1)!['error']).toMatchObject({ code: -32001, data: { retry_safe: false, disposition: 'may_have_completed' } });
    expect(byId.get(2)!['result']).toEqual({ ok: true });
    expect(byId.get(3)!['error']).toMatchObject({ code: -32001, data: { disposition: 'still_in_flight' } });
    expect(byId.get(4)!['error']).toEqual({
      code: -32004,
      message: 'Mutation lane blocked',
      data: {
        retry_safe: false,
        disposition: 'still_in_flight',
        transport: 'bridge_v2',
        operation: 'send-message',
        detail: 'A prior send-message remains in flight. Restart the RPC child before sending another mutation.',
      },
    });
    expect(byId.get(5)!['result']).toEqual({ ok: true });
    expect(h.out).toHaveLength(5);
  });

  it('notifications are never answered; unknown methods are -32601 with the name; AfterResponse runs after the answer', async () => {
    const order: string[] = [];
    const h = harness(async (call) => {
      if (call.params['bad']) throw new Error('boom');
      return new AfterResponse({ subscription: 1 }, () => order.push(`started after ${h.out.length} lines`));
    });
    h.send({ jsonrpc: '2.0', method: 'nope' }, { jsonrpc: '2.0', method: 'status', params: { bad: true } }, req(1, 'nope'), req(2, 'watch.subscribe'));
    h.input.end();
    await h.server.finished;
    expect(h.out).toEqual([
      { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'Method not found', data: 'nope' } },
      { jsonrpc: '2.0', id: 2, result: { subscription: 1 } },
    ]);
    expect(order).toHaveLength(1);
  });

  it('EOF cancels subscriptions silently, then drains queued mutations in order before finishing', async () => {
    let cancelled = 0;
    const h = harness(async (call) => {
      if (call.method === 'watch.subscribe') {
        const r = call.session.subscriptions.reserve();
        if (!r.ok) throw new Error(r.reason);
        call.session.subscriptions.activate(r.id, async () => {
          cancelled++;
        });
        return { subscription: r.id };
      }
      await sleep(20);
      return { done: call.params['n'] };
    });
    h.send(req('s', 'watch.subscribe'), req(1, 'send', { n: 1 }), req(2, 'send', { n: 2 }), req(3, 'send', { n: 3 }));
    await sleep(5);
    h.input.end();
    await h.server.finished;
    expect(cancelled).toBe(1);
    expect(h.out.filter((o) => typeof o['id'] === 'number').map((o) => o['id'])).toEqual([1, 2, 3]);
  });
});
