import { expect, test } from 'vitest';
import { decodeAttributedBody } from './attributed-body.js';

test('finds the string after the 0x01 0x2B marker, stripping the length byte', () => {
  const text = Buffer.from('hello from typedstream');
  const blob = Buffer.concat([
    Buffer.from('\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00', 'latin1'),
    Buffer.from([0x01, 0x2b, text.length]),
    text,
    Buffer.from([0x86, 0x84, 0x02]),
  ]);
  expect(decodeAttributedBody(blob)).toBe('hello from typedstream');
});

test('decodes a UTF-16LE blob with a BOM and falls back to lossy UTF-8', () => {
  expect(decodeAttributedBody(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('héllo', 'utf16le')]))).toBe('héllo');
  expect(decodeAttributedBody(Buffer.from('\x01\x02plain', 'latin1'))).toBe('plain');
  expect(decodeAttributedBody(null)).toBe('');
});
