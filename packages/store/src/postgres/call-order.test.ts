import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { CallOrder } from './call-order.js';

describe('CallOrder', () => {
  it('applies writes in call order, lets reads overlap, orders reads after earlier writes, answers in call order', async () => {
    const order = new CallOrder();
    const log: string[] = [];
    const op = (name: string, ms: number) => async () => {
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      return name;
    };
    const calls = [order.write(op('w1', 30)), order.write(op('w2', 1)), order.read(op('r1', 20)), order.read(op('r2', 1)), order.write(op('w3', 1))];
    const answered: string[] = [];
    for (const c of calls) void c.then((name) => answered.push(name));
    expect(await Promise.all(calls)).toEqual(['w1', 'w2', 'r1', 'r2', 'w3']);
    // r2 finished before r1, but is answered after it.
    expect(answered).toEqual(['w1', 'w2', 'r1', 'r2', 'w3']);
    expect(log).toEqual(['start w1', 'end w1', 'start w2', 'end w2', 'start r1', 'start r2', 'end r2', 'end r1', 'start w3', 'end w3']);
  });

  it('lets a caller that continues from an answer act before later callers do', async () => {
    const order = new CallOrder();
    const acted: string[] = [];
    // Like the hub's send path: look the key up, then insert; the first lookup is the slower one.
    const accept = async (name: string, ms: number) => {
      await order.read(() => sleep(ms));
      acted.push(name);
    };
    await Promise.all([accept('a', 30), accept('b', 1)]);
    expect(acted).toEqual(['a', 'b']);
  });

  it('keeps going after a call fails, and the failure reaches only its caller', async () => {
    const order = new CallOrder();
    const failed = order.write(async () => {
      throw new Error('boom');
    });
    const next = order.write(async () => 'ok');
    await expect(failed).rejects.toThrow('boom');
    expect(await next).toBe('ok');
    expect(await order.read(async () => 'read')).toBe('read');
    await order.idle();
  });
});
