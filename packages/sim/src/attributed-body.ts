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
