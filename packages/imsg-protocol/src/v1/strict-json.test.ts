import { expect, test } from 'vitest';
import { JsonFloat, MAX_JSON_DEPTH, parseStrictJson, plainJson } from './strict-json.js';

test('parses like JSON.parse, but keeps a number written with a fraction or exponent apart', () => {
  const v = parseStrictJson('{"a":1,"b":1.0,"c":2e0,"d":-0,"e":[true,null,"x\\u00e9\\n"],"f":12345678901234567890}') as Record<string, unknown>;
  expect(v['a']).toBe(1);
  expect(v['b']).toBeInstanceOf(JsonFloat);
  expect(v['c']).toBeInstanceOf(JsonFloat);
  expect(Object.is(v['d'], 0)).toBe(true);
  expect(v['e']).toEqual([true, null, 'xé\n']);
  expect(v['f']).toBeInstanceOf(JsonFloat);
  expect(plainJson(v)).toEqual({ a: 1, b: 1, c: 2, d: 0, e: [true, null, 'xé\n'], f: Number('12345678901234567890') });
  expect(JSON.stringify(new JsonFloat(1.5))).toBe('1.5');
});

test('rejects what JSON.parse rejects, and documents nested too deeply', () => {
  for (const bad of ['', '{', '{"a":}', '[1,]', '01', '"\t"', '{"a":1}x', 'nul', '-', '1.', '"\\x"']) {
    expect(() => parseStrictJson(bad), bad).toThrow();
    expect(() => JSON.parse(bad), bad).toThrow();
  }
  const deep = '['.repeat(MAX_JSON_DEPTH + 2) + ']'.repeat(MAX_JSON_DEPTH + 2);
  expect(() => parseStrictJson(deep)).toThrow(/too deeply/);
  expect(parseStrictJson('['.repeat(100) + ']'.repeat(100))).toBeInstanceOf(Array);
});

test('a __proto__ key is data, not the prototype', () => {
  const v = parseStrictJson('{"__proto__":{"x":1}}') as Record<string, unknown>;
  expect(Object.keys(v)).toEqual(['__proto__']);
  expect((v as { x?: unknown }).x).toBeUndefined();
});
