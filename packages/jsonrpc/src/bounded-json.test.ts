import { describe, expect, it } from 'vitest';
import { JsonLimitError, parseJsonBounded } from './bounded-json.js';

const nested = (levels: number, inner = '1') => '['.repeat(levels) + inner + ']'.repeat(levels);

describe('parseJsonBounded', () => {
  it('parses what is within the bounds, exactly as JSON.parse does', () => {
    const text = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'x', params: { a: [1, { b: 'q"}]\\\\' }], c: null } });
    expect(parseJsonBounded(text)).toEqual(JSON.parse(text));
    expect(parseJsonBounded(nested(64))).toEqual(JSON.parse(nested(64)));
    expect(() => parseJsonBounded('{nope')).toThrow(SyntaxError);
  });

  it('refuses nesting past the limit without parsing, keeping the id of a call', () => {
    const deep = `{"jsonrpc":"2.0","id":"r-7","method":"rows","params":${nested(100_000)}}`;
    const err = (() => {
      try {
        parseJsonBounded(deep, { maxDepth: 64 });
      } catch (e) {
        return e;
      }
    })() as JsonLimitError;
    expect(err).toBeInstanceOf(JsonLimitError);
    expect(err).toMatchObject({ failure: 'FRAME_TOO_DEEP', limit: 'depth', max: 64, id: 'r-7', isCall: true });
    expect(err.message).toContain('64');
  });

  it('finds the id after the deep part, a numeric id, and no id at all', () => {
    expect(() => parseJsonBounded(`{"method":"m","params":${nested(40)},"id":12}`, { maxDepth: 8 })).toThrow(expect.objectContaining({ id: 12, isCall: true }));
    expect(() => parseJsonBounded(`{"id":5,"result":${nested(40)}}`, { maxDepth: 8 })).toThrow(expect.objectContaining({ id: 5, isCall: false }));
    // Strings that look like structure do not count, nor do keys named id below the top level.
    expect(() => parseJsonBounded(`{"params":{"id":9,"x":"[[[[[[[[[[\\"{{{{{{"},"y":${nested(20)}}`, { maxDepth: 8 })).toThrow(
      expect.objectContaining({ id: null }),
    );
    expect(parseJsonBounded('{"s":"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["}', { maxDepth: 2 })).toEqual({ s: '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[' });
  });

  it('refuses text over the byte bound, counting UTF-8 bytes', () => {
    expect(() => parseJsonBounded(JSON.stringify({ id: 1, method: 'm', params: 'é'.repeat(600) }), { maxBytes: 1000 })).toThrow(
      expect.objectContaining({ failure: 'FRAME_TOO_LARGE', limit: 'bytes', max: 1000, id: 1 }),
    );
    expect(parseJsonBounded(JSON.stringify({ s: 'é'.repeat(400) }), { maxBytes: 1000 })).toEqual({ s: 'é'.repeat(400) });
  });
});
