// Text recovery from `message.attributedBody` when `text` is empty (reference §8.3,
// imsg's TypedStreamParser): NSArchiver typedstream blobs carry the string after a 0x01 0x2B marker.

const CONTROL_PREFIX = /^[\u0000-\u001f\u007f-\u009f\ufffd]+/;

/** Decodes the visible text of an attributedBody blob; "" when nothing readable is found. */
export function decodeAttributedBody(blob: Uint8Array | null | undefined): string {
  if (!blob || blob.length === 0) return '';
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.length);
  if (buf[0] === 0xff && buf[1] === 0xfe) {
    return buf.subarray(2).toString('utf16le').replace(CONTROL_PREFIX, '');
  }
  let best: string | undefined;
  let at = buf.indexOf(Buffer.from([0x01, 0x2b]));
  while (at >= 0) {
    const start = at + 2;
    let end = buf.indexOf(Buffer.from([0x86, 0x84]), start);
    if (end < 0) end = buf.length;
    const candidate = decodeSegment(buf.subarray(start, end));
    if (candidate !== undefined && (best === undefined || candidate.length > best.length)) best = candidate;
    at = buf.indexOf(Buffer.from([0x01, 0x2b]), start);
  }
  if (best !== undefined) return best;
  return buf.toString('utf8').replace(CONTROL_PREFIX, '');
}

function decodeSegment(segment: Buffer): string | undefined {
  let body = segment;
  const first = segment[0];
  if (first !== undefined) {
    if (first < 0x80 && first === segment.length - 1) body = segment.subarray(1);
    else if (first === 0x81 && segment.length >= 2) body = segment.subarray(2);
    else if (first === 0x82 && segment.length >= 3) body = segment.subarray(3);
  }
  const text = strictUtf8(body);
  if (text === undefined) return undefined;
  const trimmed = text.replace(CONTROL_PREFIX, '');
  return trimmed.length > 0 ? trimmed : undefined;
}

function strictUtf8(bytes: Buffer): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}

const TYPEDSTREAM_HEAD = Buffer.from(
  '\x04\x0bstreamtyped\x81\xe8\x03\x84\x01@\x84\x84\x84\x12NSAttributedString\x00\x84\x84\x08NSObject\x00\x85\x92\x84\x84\x84\x08NSString\x01\x94\x84',
  'latin1',
);
const TYPEDSTREAM_TAIL = Buffer.from([0x86, 0x84, 0x02, 0x69, 0x49, 0x01, 0x00, 0x86]);

/**
 * An attributedBody blob carrying `text` the way Messages' typedstream lays out an NSString:
 * `0x01 0x2B`, a length (one byte below 0x80, else 0x81 + uint16 LE, else 0x82 + uint32 LE), the
 * UTF-8 bytes, then `0x86 0x84`. Enough for imsg's decoder (§8.3) and third-party readers' marker scan.
 */
export function encodeAttributedBody(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  let length: Buffer;
  if (bytes.length < 0x80) length = Buffer.from([bytes.length]);
  else if (bytes.length <= 0xffff) length = Buffer.from([0x81, bytes.length & 0xff, bytes.length >> 8]);
  else {
    length = Buffer.alloc(5);
    length[0] = 0x82;
    length.writeUInt32LE(bytes.length, 1);
  }
  return Buffer.concat([TYPEDSTREAM_HEAD, Buffer.from([0x01, 0x2b]), length, bytes, TYPEDSTREAM_TAIL]);
}
