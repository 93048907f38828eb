// A small writer of Apple binary property lists (`bplist00`), the format of chat.db's
// `message_summary_info` and `payload_data` blobs: dictionaries, arrays, strings, integers, reals,
// booleans and data. Enough for the edit / unsend / tapback metadata Messages writes (§5.2–5.6).

export type PlistValue = string | number | boolean | Buffer | PlistValue[] | { [key: string]: PlistValue };

/** Encodes `value` as a binary plist (objects are not de-duplicated; refs are 2 bytes). */
export function encodeBinaryPlist(value: PlistValue): Buffer {
  const objects: Buffer[] = [];
  const add = (v: PlistValue): number => {
    const index = objects.length;
    objects.push(Buffer.alloc(0));
    objects[index] = encodeObject(v, add);
    return index;
  };
  add(value);
  if (objects.length > 0xffff) throw new RangeError('plist has too many objects');
  const header = Buffer.from('bplist00', 'latin1');
  const offsets: number[] = [];
  let at = header.length;
  for (const o of objects) {
    offsets.push(at);
    at += o.length;
  }
  const offsetSize = at > 0xffff ? 4 : at > 0xff ? 2 : 1;
  const table = Buffer.alloc(offsets.length * offsetSize);
  for (const [i, o] of offsets.entries()) table.writeUIntBE(o, i * offsetSize, offsetSize);
  const trailer = Buffer.alloc(32);
  trailer[6] = offsetSize;
  trailer[7] = 2;
  trailer.writeBigUInt64BE(BigInt(objects.length), 8);
  trailer.writeBigUInt64BE(0n, 16);
  trailer.writeBigUInt64BE(BigInt(at), 24);
  return Buffer.concat([header, ...objects, table, trailer]);
}

function marker(kind: number, count: number): Buffer {
  if (count < 15) return Buffer.from([kind | count]);
  return Buffer.concat([Buffer.from([kind | 0x0f]), intBytes(count)]);
}

function intBytes(n: number): Buffer {
  if (n >= 0 && n <= 0xff) return Buffer.from([0x10, n]);
  if (n >= 0 && n <= 0xffff) return Buffer.from([0x11, n >> 8, n & 0xff]);
  if (n >= 0 && n <= 0xffffffff) {
    const b = Buffer.alloc(5);
    b[0] = 0x12;
    b.writeUInt32BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(9);
  b[0] = 0x13;
  b.writeBigInt64BE(BigInt(n), 1);
  return b;
}

function refs(indexes: number[]): Buffer {
  const b = Buffer.alloc(indexes.length * 2);
  for (const [i, x] of indexes.entries()) b.writeUInt16BE(x, i * 2);
  return b;
}

function encodeObject(v: PlistValue, add: (v: PlistValue) => number): Buffer {
  if (typeof v === 'boolean') return Buffer.from([v ? 0x09 : 0x08]);
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return intBytes(v);
    const b = Buffer.alloc(9);
    b[0] = 0x23;
    b.writeDoubleBE(v, 1);
    return b;
  }
  if (typeof v === 'string') {
    if (/^[\x00-\x7f]*$/.test(v)) return Buffer.concat([marker(0x50, v.length), Buffer.from(v, 'latin1')]);
    const utf16 = Buffer.from(v, 'utf16le').swap16();
    return Buffer.concat([marker(0x60, utf16.length / 2), utf16]);
  }
  if (Buffer.isBuffer(v)) return Buffer.concat([marker(0x40, v.length), v]);
  if (Array.isArray(v)) return Buffer.concat([marker(0xa0, v.length), refs(v.map(add))]);
  const entries = Object.entries(v);
  const keyRefs = entries.map(([k]) => add(k));
  const valueRefs = entries.map(([, x]) => add(x));
  return Buffer.concat([marker(0xd0, entries.length), refs(keyRefs), refs(valueRefs)]);
}
