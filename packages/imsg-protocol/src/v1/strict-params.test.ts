import { describe, expect, it } from 'vitest';
import { parseStrictJson, type StrictJson } from './strict-json.js';
import { StrictParams } from './strict-params.js';

const p = (json: string, keys: string[]) => new StrictParams(parseStrictJson(json) as Record<string, StrictJson>, 'm', keys);
const data = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code: number; data: unknown }).code === -32602 ? (e as { data: unknown }).data : e;
  }
  return 'no error';
};

describe('StrictParams (reference/imsg-protocol-v1.md §2.3)', () => {
  it('names the lexicographically first unknown key; there are no generic aliases', () => {
    expect(data(() => p('{"zeta":1,"chatId":1,"limit":1}', ['limit']))).toBe('unknown m param: chatId');
  });

  it('is type-strict: no coercions, null never means absent', () => {
    expect(data(() => p('{"limit":"1"}', ['limit']).integer('limit'))).toBe('limit must be an integer');
    expect(data(() => p('{"limit":1.0}', ['limit']).integer('limit'))).toBe('limit must be an integer');
    expect(data(() => p('{"limit":true}', ['limit']).integer('limit'))).toBe('limit must be an integer');
    expect(data(() => p('{"limit":null}', ['limit']).integer('limit'))).toBe('limit must not be null');
    expect(data(() => p('{"on":1}', ['on']).boolean('on'))).toBe('on must be a boolean');
    expect(data(() => p('{"on":"true"}', ['on']).boolean('on'))).toBe('on must be a boolean');
    expect(data(() => p('{"a":"x,y"}', ['a']).stringArray('a'))).toBe('a must be an array of strings');
    expect(data(() => p('{"a":["x",1]}', ['a']).stringArray('a'))).toBe('a must be an array of strings');
    expect(data(() => p('{"a":[1]}', ['a']).objectArray('a'))).toBe('a must be an array of objects');
    expect(p('{"limit":5,"on":false,"a":["x"]}', ['limit', 'on', 'a']).integer('limit')).toBe(5);
  });

  it('aliases are exclusive even with equal values', () => {
    expect(data(() => p('{"debounce_ms":1,"debounceMs":1}', ['debounce_ms', 'debounceMs']).integer('debounce_ms', ['debounceMs']))).toBe(
      'use only one of debounce_ms, debounceMs',
    );
    expect(p('{"debounceMs":3}', ['debounce_ms', 'debounceMs']).integer('debounce_ms', ['debounceMs'])).toBe(3);
  });

  it('chat selectors: exactly one, positive, non-empty; `to` never with a selector', () => {
    const keys = ['to', 'chat_id', 'chat_identifier', 'chat_guid'];
    expect(data(() => p('{}', keys).chatTarget())).toBe('exactly one of chat_id, chat_identifier, or chat_guid is required');
    expect(data(() => p('{"chat_id":1,"chat_guid":"g"}', keys).chatTarget())).toBe('exactly one of chat_id, chat_identifier, or chat_guid is required');
    expect(data(() => p('{"chat_id":0}', keys).chatTarget())).toBe('chat_id must be a positive integer');
    expect(data(() => p('{"chat_guid":""}', keys).chatTarget())).toBe('chat_guid must be a non-empty string');
    expect(data(() => p('{"to":"+1","chat_id":1}', keys).recipientOrChatTarget())).toBe('use to or exactly one chat selector; not both');
    expect(data(() => p('{"to":""}', keys).recipientOrChatTarget())).toBe('to must be a non-empty string');
    expect(p('{"chat_identifier":"x"}', keys).recipientOrChatTarget()).toEqual({ recipient: '', chatId: undefined, chatIdentifier: 'x', chatGuid: '' });
  });
});
