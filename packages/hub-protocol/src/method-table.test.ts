import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HUB_ERROR_CODES } from './hub-errors.js';
import { CLIENT_TO_HUB, dispatchMethod, type MethodHandlers, type MethodTable } from './method-table.js';

const ok = () => ({ ts: 0 });

describe('typed method tables', () => {
  it('a handler map must cover every method of its table (typecheck), and dispatch validates params', async () => {
    const TABLE = {
      'chats.list': CLIENT_TO_HUB['chats.list'],
      ping: CLIENT_TO_HUB.ping,
    } satisfies MethodTable;
    const handlers = {
      'chats.list': (p) => ({ chats: p.limit === 1 ? [] : [] }),
      ping: ok,
    } satisfies MethodHandlers<typeof TABLE>;

    // @ts-expect-error `ping` has no handler: the map is incomplete, so this does not typecheck.
    const missing: MethodHandlers<typeof TABLE> = { 'chats.list': handlers['chats.list'] };
    expect(missing.ping).toBeUndefined();

    expect(await dispatchMethod(TABLE, handlers, 'chats.list', { limit: 1 })).toEqual({ chats: [] });
    await expect(dispatchMethod(TABLE, handlers, 'chats.list', { limit: 'many' })).rejects.toThrow(/invalid params for chats.list: limit/);
    await expect(dispatchMethod(TABLE, handlers, 'nope', {})).rejects.toMatchObject({ code: -32601 });
    await expect(dispatchMethod(TABLE, handlers, 'toString', {})).rejects.toMatchObject({ code: -32601 });
  });

  it('docs/errors.md lists every code that crosses a wire, with its number', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const rows = new Map([...doc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(-?\d+)\s*\|/gm)].map((m) => [m[1]!, Number(m[2])]));
    expect(Object.fromEntries(rows)).toEqual(HUB_ERROR_CODES);
  });
});
