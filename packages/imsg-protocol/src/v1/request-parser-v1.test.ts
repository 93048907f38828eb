import { describe, expect, it } from 'vitest';
import { parseImsgV1Request } from './request-parser-v1.js';

const err = (line: string) => {
  const r = parseImsgV1Request(line);
  if (r.ok) throw new Error('expected an error');
  return { id: r.id, code: r.error.code, data: r.error.data, respond: r.respond };
};

describe('parseImsgV1Request follows 0.15’s check order (reference/imsg-protocol-v1.md §2.2)', () => {
  it('parse errors, non-objects and bad ids answer with id null', () => {
    expect(err('not-json')).toMatchObject({ id: null, code: -32700, respond: true });
    expect(err('42')).toMatchObject({ id: null, code: -32700 });
    expect(err('[]')).toEqual({ id: null, code: -32600, data: 'request must be an object', respond: true });
    for (const id of ['true', '{}', '[]']) {
      expect(err(`{"jsonrpc":"2.0","id":${id},"method":"chats.list"}`)).toEqual({
        id: null,
        code: -32600,
        data: 'id must be a string, number, or null',
        respond: true,
      });
    }
  });

  it('jsonrpc is required and exact; the valid id is echoed', () => {
    expect(err('{"id":"missing-version","method":"chats.list"}')).toEqual({
      id: 'missing-version',
      code: -32600,
      data: 'jsonrpc must be exactly 2.0',
      respond: true,
    });
    expect(err('{"jsonrpc":2.0,"id":1,"method":"x"}')).toMatchObject({ id: 1, code: -32600 });
    expect(err('{"jsonrpc":"2.0","id":1.5,"method":""}')).toEqual({ id: 1.5, code: -32600, data: 'method is required', respond: true });
  });

  it('params must be an object when present; that error is answered only with an id', () => {
    expect(err('{"jsonrpc":"2.0","id":7,"method":"chats.list","params":[]}')).toEqual({
      id: 7,
      code: -32602,
      data: 'params must be an object when present',
      respond: true,
    });
    expect(err('{"jsonrpc":"2.0","method":"chats.list","params":null}')).toMatchObject({ code: -32602, respond: false });
  });

  it('a missing id is a notification; id null is a request', () => {
    const n = parseImsgV1Request('{"jsonrpc":"2.0","method":"chats.list"}');
    expect(n).toEqual({ ok: true, request: { id: undefined, method: 'chats.list', params: {} } });
    const r = parseImsgV1Request('{"jsonrpc":"2.0","id":null,"method":"chats.list","params":{"limit":1}}');
    expect(r).toEqual({ ok: true, request: { id: null, method: 'chats.list', params: { limit: 1 } } });
  });
});
