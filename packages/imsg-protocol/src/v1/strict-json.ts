// A JSON reader that keeps what JSON.parse forgets: whether a number was written with a fraction
// or an exponent. imsg 0.15 rejects `1.0` and `1e0` where it wants an integer (Foundation keeps the
// literal's type; reference/imsg-protocol-v1.md §2.3), so a v1 server needs that bit.

/** A number written with `.`, `e` or `E` (or an integer literal outside ±2^53): never an integer param. */
export class JsonFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
  toJSON(): number {
    return this.value;
  }
}

/** What parseStrictJson yields: JSON values, with non-integer numbers as JsonFloat. */
export type StrictJson = null | boolean | number | string | JsonFloat | StrictJson[] | { [key: string]: StrictJson };

/** Nesting deeper than this is a parse error (Foundation refuses very deep documents too). */
export const MAX_JSON_DEPTH = 512;

export class StrictJsonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StrictJsonError';
  }
}

/** Parses one JSON document; throws StrictJsonError on anything JSON.parse would reject, or too deep. */
export function parseStrictJson(text: string): StrictJson {
  const reader = new Reader(text);
  reader.skipSpace();
  const value = reader.value(0);
  reader.skipSpace();
  if (reader.pos !== text.length) reader.fail('unexpected data after the document');
  return value;
}

/** Replaces JsonFloat by its number, for echoing an id or passing values on. */
export function plainJson(value: unknown): unknown {
  if (value instanceof JsonFloat) return value.value;
  if (Array.isArray(value)) return value.map(plainJson);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = plainJson(v);
    return out;
  }
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class Reader {
  readonly #text: string;
  pos = 0;

  constructor(text: string) {
    this.#text = text;
  }

  fail(why: string): never {
    throw new StrictJsonError(`${why} at offset ${this.pos}`);
  }

  skipSpace(): void {
    const t = this.#text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  value(depth: number): StrictJson {
    if (depth > MAX_JSON_DEPTH) this.fail('document nested too deeply');
    const c = this.#text[this.pos];
    switch (c) {
      case '{':
        return this.#object(depth);
      case '[':
        return this.#array(depth);
      case '"':
        return this.#string();
      case 't':
        return this.#literal('true', true);
      case 'f':
        return this.#literal('false', false);
      case 'n':
        return this.#literal('null', null);
      default:
        return this.#number();
    }
  }

  #literal<T>(word: string, value: T): T {
    if (!this.#text.startsWith(word, this.pos)) this.fail('unexpected token');
    this.pos += word.length;
    return value;
  }

  #number(): number | JsonFloat {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.#text);
    if (!m || m[0] === '' || m[0] === '-') this.fail('unexpected token');
    this.pos += m[0].length;
    const n = Number(m[0]);
    return m[1] !== undefined || m[2] !== undefined || !Number.isSafeInteger(n) ? new JsonFloat(n) : n === 0 ? 0 : n;
  }

  #string(): string {
    const t = this.#text;
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) {
        out += t.slice(start, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string');
      if (c === 0x5c) {
        out += t.slice(start, this.pos);
        out += this.#escape();
        start = this.pos;
        continue;
      }
      this.pos++;
    }
    return this.fail('unterminated string');
  }

  #escape(): string {
    const e = this.#text[this.pos + 1];
    this.pos += 2;
    switch (e) {
      case '"':
        return '"';
      case '\\':
        return '\\';
      case '/':
        return '/';
      case 'b':
        return '\b';
      case 'f':
        return '\f';
      case 'n':
        return '\n';
      case 'r':
        return '\r';
      case 't':
        return '\t';
      case 'u': {
        const hex = this.#text.slice(this.pos, this.pos + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad unicode escape');
        this.pos += 4;
        return String.fromCharCode(Number.parseInt(hex, 16));
      }
      default:
        return this.fail('bad escape');
    }
  }

  #array(depth: number): StrictJson[] {
    this.pos++;
    const out: StrictJson[] = [];
    this.skipSpace();
    if (this.#text[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      out.push(this.value(depth + 1));
      this.skipSpace();
      const c = this.#text[this.pos++];
      if (c === ']') return out;
      if (c !== ',') this.fail('expected , or ]');
    }
  }

  #object(depth: number): { [key: string]: StrictJson } {
    this.pos++;
    const out: { [key: string]: StrictJson } = {};
    this.skipSpace();
    if (this.#text[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.skipSpace();
      if (this.#text[this.pos] !== '"') this.fail('expected a key');
      const key = this.#string();
      this.skipSpace();
      if (this.#text[this.pos++] !== ':') this.fail('expected :');
      this.skipSpace();
      const value = this.value(depth + 1);
      // `__proto__` as an own data key, never the prototype setter.
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      this.skipSpace();
      const c = this.#text[this.pos++];
      if (c === '}') return out;
      if (c !== ',') this.fail('expected , or }');
    }
  }
}
