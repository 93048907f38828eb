import { parseIsoDate } from './apple-time.js';
import { imsgError } from './imsg-error.js';

// imsg's parameter helpers (reference/imsg-protocol.md §1.7): lenient by design. A value of the
// wrong type behaves as absent; null behaves as absent.

export type Params = Record<string, unknown>;

/** string; a number becomes its decimal string; anything else is absent. */
export function stringParam(params: Params, key: string): string | undefined {
  const v = params[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** integer; any number truncated; a numeric string parsed; anything else is absent. */
export function intParam(params: Params, key: string): number | undefined {
  const v = params[key];
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string') {
    const t = v.trim();
    if (/^[+-]?\d+$/.test(t)) {
      const n = Number(t);
      return Number.isSafeInteger(n) ? n : undefined;
    }
    if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return Math.trunc(Number(t));
  }
  return undefined;
}

/** bool; a number is non-zero; exactly "true"/"false"; anything else is absent. */
export function boolParam(params: Params, key: string): boolean | undefined {
  const v = params[key];
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

/** array of strings (numbers stringified, others dropped) or a comma-separated string. */
export function stringArrayParam(params: Params, key: string): string[] {
  const v = params[key];
  if (Array.isArray(v)) {
    const out: string[] = [];
    for (const item of v) {
      if (typeof item === 'string') out.push(item);
      else if (typeof item === 'number' && Number.isFinite(item)) out.push(String(item));
    }
    return out;
  }
  if (typeof v === 'string') {
    return v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
  }
  return [];
}

/** First present value among aliases (imsg accepts e.g. `debounce_ms` and `debounceMs`). */
export function firstPresent(params: Params, keys: readonly string[]): string | undefined {
  return keys.find((k) => params[k] !== undefined && params[k] !== null);
}

/**
 * An ISO-8601 date param (`start`/`end` of history and watch) as Unix ms; absent stays undefined.
 * Unparsable (or `""`) is imsg's -32603 `Invalid ISO8601 date: <v>` — sic, not -32602 (§2.2).
 */
export function isoDateParam(params: Params, key: string): number | undefined {
  const value = stringParam(params, key);
  if (value === undefined) return undefined;
  const ms = parseIsoDate(value);
  if (ms === undefined) throw imsgError.internal(`Invalid ISO8601 date: ${value}`);
  return ms;
}
