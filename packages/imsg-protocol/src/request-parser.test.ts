import { describe, expect, it } from 'vitest';
import { parseImsgRequest } from './request-parser.js';

const err = (line: string) => {
  const r = parseImsgRequest(line);
  if (r.ok) throw new Error('expected an error');
  return { id: r.id, code: r.error.code, message: r.error.message, data: r.error.data };
};

describe('parseImsgRequest follows imsg’s order of checks (§1.3)', () => {
  it('parse errors: bad JSON and top-level scalars', () => {
    expect(err('not-json')).toMatchObject({ id: null, code: -32700, message: 'Parse error' });
    expect(err('42')).toMatchObject({ code: -32700 });
    expect(err('"x"')).toMatchObject({ code: -32700 });
    expect(err('null')).toMatchObject({ code: -32700 });
  });

  it('invalid requests: arrays, wrong jsonrpc, missing method, with the id echoed', () => {
    expect(err('[]')).toEqual({ id: null, code: -32600, message: 'Invalid Request', data: 'request must be an object' });
    expect(err('{"jsonrpc":"1.0","id":1,"method":"chats.list"}')).toEqual({ id: 1, code: -32600, message: 'Invalid Request', data: 'jsonrpc must be 2.0' });
    expect(err('{"jsonrpc":"2.0","id":"a","method":""}')).toMatchObject({ id: 'a', data: 'method is required' });
    expect(err('{"jsonrpc":"2.0","id":{"x":1},"method":7}')).toMatchObject({ id: { x: 1 }, data: 'method is required' });
  });

  it('refuses a line nested past the depth bound, naming the limit, with the id echoed', () => {
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(err(`{"jsonrpc":"2.0","id":4,"method":"send","params":{"x":${deep}}}`)).toMatchObject({
      id: 4,
      code: -32600,
      data: expect.stringContaining('the limit is 64'),
    });
  });

  it('accepts a missing or non-string jsonrpc, and turns non-object params into {}', () => {
    const r = parseImsgRequest('{"id":5,"method":"chats.list","params":[1,2]}');
    expect(r).toEqual({ ok: true, request: { id: 5, hasId: true, method: 'chats.list', params: {} } });
    const n = parseImsgRequest('{"jsonrpc":2.0,"method":"send","params":{"to":"x"}}');
    expect(n).toEqual({ ok: true, request: { id: null, hasId: false, method: 'send', params: { to: 'x' } } });
  });

  it('an explicit null id is an id (gets a result); a missing one is not', () => {
    expect(parseImsgRequest('{"jsonrpc":"2.0","id":null,"method":"m"}')).toMatchObject({ ok: true, request: { hasId: true, id: null } });
  });
});
