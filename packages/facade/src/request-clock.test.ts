import type { MessageTransport, TransportHandlers } from '@imsg-hub/jsonrpc';
import { describe, expect, it } from 'vitest';
import { ArrivalClock, Deadline } from './request-clock.js';

class FakeTransport implements MessageTransport {
  handlers: TransportHandlers | undefined;
  attach(h: TransportHandlers): void {
    this.handlers = h;
  }
  send(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('ArrivalClock', () => {
  it('notes an arrival for exactly the lines the server hands to the backend, in order', () => {
    const inner = new FakeTransport();
    const clock = new ArrivalClock(inner);
    const delivered: string[] = [];
    clock.attach({ message: (l) => delivered.push(l), close: () => undefined });
    const realNow = Date.now;
    let now = 1000;
    Date.now = () => now;
    try {
      for (const line of ['{"id":1,"method":"chats.list"}', 'not-json', '[]', '{"id":2}', '  {"method":"send"}  ']) {
        inner.handlers!.message(line);
        now += 10;
      }
    } finally {
      Date.now = realNow;
    }
    expect(delivered).toHaveLength(5); // every line still reaches the server
    expect([clock.take(), clock.take()]).toEqual([1000, 1040]);
    expect(clock.take()).toBeGreaterThan(1040); // empty: now
  });
});

describe('Deadline', () => {
  it('passes results and errors through, and refuses once time is up', async () => {
    const d = Deadline.in(10_000);
    await expect(d.race(Promise.resolve(7), 'x')).resolves.toBe(7);
    await expect(d.race(Promise.reject(new Error('boom')), 'x')).rejects.toThrow('boom');
    await expect(new Deadline(Date.now() - 1).race(Promise.resolve(1), 'listing chats')).rejects.toMatchObject({
      code: 'DEADLINE',
      message: 'no time left to listing chats',
    });
    await expect(Deadline.in(20).race(new Promise(() => undefined), 'sending')).rejects.toMatchObject({ code: 'DEADLINE' });
  });
});
