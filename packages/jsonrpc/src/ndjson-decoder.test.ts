import { describe, expect, it } from 'vitest';
import { NdjsonDecoder } from './ndjson-decoder.js';
import { encodeJsonLine } from './ndjson-encoder.js';

function decode(chunks: (string | Buffer)[], maxLineBytes?: number): { lines: string[]; oversize: number[] } {
  const lines: string[] = [];
  const oversize: number[] = [];
  const d = new NdjsonDecoder({ onLine: (l) => lines.push(l), onOversize: (n) => oversize.push(n), ...(maxLineBytes ? { maxLineBytes } : {}) });
  for (const c of chunks) d.push(typeof c === 'string' ? Buffer.from(c) : c);
  d.end();
  return { lines, oversize };
}

describe('NdjsonDecoder (OpenClaw client.test framing cases)', () => {
  it('frames on LF only and never splits on U+2028/U+2029', () => {
    const text = '{"t":"a\u2028b\u2029c"}\n{"t":"d"}\n';
    expect(decode([text]).lines).toEqual(['{"t":"a\u2028b\u2029c"}', '{"t":"d"}']);
  });

  it('buffers partial lines across chunks', () => {
    expect(decode(['{"a":', '1}\n{"b"', ':2}', '\n']).lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('skips blank and whitespace-only lines, tolerates CRLF', () => {
    expect(decode(['\n  \n{"a":1}\r\n\r\n\t\n{"b":2}\n']).lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('reassembles a multi-byte UTF-8 character split across chunks', () => {
    const bytes = Buffer.from('{"t":"héllo 👋 世界"}\n', 'utf8');
    // split inside the 4-byte emoji and inside the 2-byte é
    const cut1 = bytes.indexOf(0xc3) + 1;
    const cut2 = bytes.indexOf(0xf0) + 2;
    const { lines } = decode([bytes.subarray(0, cut1), bytes.subarray(cut1, cut2), bytes.subarray(cut2)]);
    expect(lines).toEqual(['{"t":"héllo 👋 世界"}']);
  });

  it('one byte at a time gives the same lines', () => {
    const bytes = Buffer.from('{"a":"é"}\n{"b":"\u2028"}\n');
    const chunks = [...bytes].map((b) => Buffer.from([b]));
    expect(decode(chunks).lines).toEqual(['{"a":"é"}', '{"b":"\u2028"}']);
  });

  it('flushes a final line without LF at end of stream', () => {
    expect(decode(['{"a":1}\n{"b":2}']).lines).toEqual(['{"a":1}', '{"b":2}']);
  });

  it('drops an over-long line, reports it, and keeps working', () => {
    const long = 'x'.repeat(100);
    expect(decode([`{"a":1}\n${long.slice(0, 60)}`, `${long.slice(60)}\n{"b":2}\n`], 50)).toEqual({
      lines: ['{"a":1}', '{"b":2}'],
      oversize: [100],
    });
    // Over the bound inside a single chunk too.
    expect(decode([`${long}\n{"c":3}\n`], 50)).toEqual({ lines: ['{"c":3}'], oversize: [100] });
  });

  it('keeps a line of exactly the bound', () => {
    const line = 'y'.repeat(50);
    expect(decode([`${line}\n`], 50).lines).toEqual([line]);
  });
});

describe('encodeJsonLine', () => {
  it('escapes U+2028/U+2029 and ends with one LF; embedded newlines stay escaped', () => {
    const line = encodeJsonLine({ t: 'a\u2028b\u2029c\nd' });
    expect(line).toBe('{"t":"a\\u2028b\\u2029c\\nd"}\n');
    expect(line.split('\n')).toHaveLength(2);
    expect(JSON.parse(line)).toEqual({ t: 'a\u2028b\u2029c\nd' });
  });
});
