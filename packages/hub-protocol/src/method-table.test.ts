import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HUB_ERROR_CODES } from './hub-errors.js';
import { CLIENT_TO_HUB, dispatchMethod, type MethodHandlers } from './method-table.js';

const ok = () => ({ ts: 0 });

describe('typed method tables', () => {
  it('a handler map must cover every method of its table (typecheck), and dispatch validates params', async () => {
    const handlers = {
      'accounts.list': () => ({ accounts: [] }),
      'chats.list': (p) => ({ chats: p.limit === 1 ? [] : [] }),
      'messages.history': () => ({ messages: [] }),
      'watch.subscribe': () => ({ subscription: 1, seq: 0 }),
      'watch.unsubscribe': () => ({}),
      send: () => {
        throw new Error('not in this test');
      },
      'send.status': () => {
        throw new Error('not in this test');
      },
      'blob.get': () => ({ data: '', size: 0, eof: true }),
      'reactions.list': () => ({ reactions: [] }),
      'messages.search': () => ({ messages: [] }),
      'imsg.call': () => ({}),
      'upload.begin': () => ({ upload_id: 'u', chunk_bytes: 1 }),
      'upload.chunk': () => ({}),
      'upload.finish': () => ({ sha256: '', size: 0 }),
      ping: ok,
    } satisfies MethodHandlers<typeof CLIENT_TO_HUB>;

    // @ts-expect-error `send` has no handler: the map is incomplete, so this does not typecheck.
    const missing: MethodHandlers<typeof CLIENT_TO_HUB> = { ...handlers, send: undefined };
    expect(missing.send).toBeUndefined();

    expect(await dispatchMethod(CLIENT_TO_HUB, handlers, 'chats.list', { limit: 1 })).toEqual({ chats: [] });
    await expect(dispatchMethod(CLIENT_TO_HUB, handlers, 'chats.list', { limit: 'many' })).rejects.toThrow(/invalid params for chats.list: limit/);
    await expect(dispatchMethod(CLIENT_TO_HUB, handlers, 'nope', {})).rejects.toMatchObject({ code: -32601 });
    await expect(dispatchMethod(CLIENT_TO_HUB, handlers, 'toString', {})).rejects.toMatchObject({ code: -32601 });
  });

  it('docs/errors.md lists every code that crosses a wire, with its number', () => {
    const doc = readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const rows = new Map([...doc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(-?\d+)\s*\|/gm)].map((m) => [m[1]!, Number(m[2])]));
    expect(Object.fromEntries(rows)).toEqual(HUB_ERROR_CODES);
  });
});
