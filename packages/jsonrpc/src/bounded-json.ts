import { Buffer } from 'node:buffer';
import type { JsonRpcId } from './envelope.js';
import { PeerError } from './errors.js';

/**
 * Default bound on nesting (objects and arrays inside each other). JSON-RPC messages of imsg and the
 * hub nest fewer than ten levels; JSON.stringify overflows the stack near ten thousand.
 */
export const DEFAULT_MAX_JSON_DEPTH = 64;

export interface JsonBounds {
  /** Most objects/arrays nested inside each other (the top-level object is level 1). */
  maxDepth?: number;
  /** Most UTF-8 bytes of the text. */
  maxBytes?: number;
}

/** What a message over a bound still tells us: its top-level `id`, and whether it is a call. */
export interface JsonLimitDetails {
  limit: 'depth' | 'bytes';
  max: number;
  /** Top-level `id` when it is a string or number, else null. */
  id: JsonRpcId;
  /** The top-level object has a `method` key (a request or notification, not an answer). */
  isCall: boolean;
}

/** A message refused by a bound before it was parsed. */
export class JsonLimitError extends PeerError {
  readonly limit: 'depth' | 'bytes';
  readonly max: number;
  readonly id: JsonRpcId;
  readonly isCall: boolean;

  constructor(details: JsonLimitDetails) {
    super(
      details.limit === 'depth' ? 'FRAME_TOO_DEEP' : 'FRAME_TOO_LARGE',
      details.limit === 'depth'
        ? `message nests more than ${details.max} levels of objects and arrays (the limit is ${details.max})`
        : `message is larger than ${details.max} bytes (the limit)`,
    );
    this.name = 'JsonLimitError';
    this.limit = details.limit;
    this.max = details.max;
    this.id = details.id;
    this.isCall = details.isCall;
  }
}

/**
 * JSON.parse with bounds checked first, on the text, without building anything: an over-deep or
 * over-long message costs one linear scan, never a tree. Throws JsonLimitError (with the message's
 * id when it has one, so a request can still be answered) or SyntaxError.
 */
export function parseJsonBounded(text: string, bounds: JsonBounds = {}): unknown {
  const maxDepth = bounds.maxDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const maxBytes = bounds.maxBytes;
  // UTF-8 never takes fewer bytes than UTF-16 code units, so only long texts need counting.
  if (maxBytes !== undefined && (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text) > maxBytes))) {
    const scan = scanJson(text, Number.POSITIVE_INFINITY);
    throw new JsonLimitError({ limit: 'bytes', max: maxBytes, id: scan.id, isCall: scan.isCall });
  }
  const scan = scanJson(text, maxDepth);
  if (scan.tooDeep) throw new JsonLimitError({ limit: 'depth', max: maxDepth, id: scan.id, isCall: scan.isCall });
  return JSON.parse(text);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

interface Scan {
  tooDeep: boolean;
  id: JsonRpcId;
  isCall: boolean;
}

/**
 * One pass over the text: the deepest nesting (stops counting past `maxDepth`), and the top-level
 * `id` and `method` keys. Tolerates malformed text (JSON.parse reports that afterwards).
 */
function scanJson(text: string, maxDepth: number): Scan {
  let depth = 0;
  let tooDeep = false;
  let expectKey = false;
  let key: string | undefined;
  let idText: string | undefined;
  let isCall = false;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (depth === 1) {
        if (expectKey) {
          key = end - i <= 34 ? decodeKey(text.slice(i, end + 1)) : undefined;
          expectKey = false;
        } else if (key === 'id' && idText === undefined) {
          idText = text.slice(i, end + 1);
        }
      }
      i = end;
      continue;
    }
    switch (c) {
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        depth++;
        if (depth > maxDepth) tooDeep = true;
        if (depth === 1 && c === OPEN_OBJECT) expectKey = true;
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        depth--;
        break;
      case COMMA:
        if (depth === 1) {
          expectKey = true;
          key = undefined;
        }
        break;
      case COLON:
        if (depth === 1) {
          if (key === 'method') isCall = true;
          if (key === 'id' && idText === undefined) {
            const number = /^\s*(-?\d[\d.eE+-]*)/.exec(text.slice(i + 1, i + 40));
            if (number) idText = number[1];
          }
        }
        break;
    }
  }
  return { tooDeep, id: decodeId(idText), isCall };
}

/** Index of the quote closing the string that opens at `start` (or the text's end). */
function stringEnd(text: string, start: number): number {
  let j = start;
  for (;;) {
    j = text.indexOf('"', j + 1);
    if (j === -1) return text.length;
    let backslashes = 0;
    for (let k = j - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if (backslashes % 2 === 0) return j;
  }
}

function decodeKey(quoted: string): string | undefined {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return undefined;
  }
}

function decodeId(raw: string | undefined): JsonRpcId {
  if (raw === undefined) return null;
  try {
    const v: unknown = JSON.parse(raw);
    return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v)) ? v : null;
  } catch {
    return null;
  }
}
