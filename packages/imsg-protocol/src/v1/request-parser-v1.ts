import type { RpcError } from '@imsg-hub/jsonrpc';
import { imsgError } from '../imsg-error.js';
import { JsonFloat, parseStrictJson, plainJson, type StrictJson } from './strict-json.js';

/** A parsed v1 request. `id` is undefined for a notification (no `id` key); `null` is a real id. */
export interface ImsgV1Request {
  id: string | number | null | undefined;
  method: string;
  /** Named params, numbers with a fraction kept as JsonFloat for strict integer checks. */
  params: Record<string, StrictJson>;
}

export type ParsedV1Line =
  | { ok: true; request: ImsgV1Request }
  /** `respond` false: a params error on a notification, which gets no answer (§2.2 step 7). */
  | { ok: false; id: string | number | null; error: RpcError; respond: boolean };

/** Parses one line with imsg 0.15's checks in its order (reference/imsg-protocol-v1.md §2.2). */
export function parseImsgV1Request(line: string): ParsedV1Line {
  let value: StrictJson;
  try {
    value = parseStrictJson(line);
  } catch {
    return { ok: false, id: null, error: imsgError.parse(), respond: true };
  }
  // JSONSerialization without .fragmentsAllowed: a top-level scalar is a parse error.
  if (typeof value !== 'object' || value === null || value instanceof JsonFloat) return { ok: false, id: null, error: imsgError.parse(), respond: true };
  if (Array.isArray(value)) return { ok: false, id: null, error: imsgError.invalidRequest('request must be an object'), respond: true };
  const hasId = Object.hasOwn(value, 'id');
  const rawId = value['id'];
  if (hasId && !isValidId(rawId)) {
    return { ok: false, id: null, error: imsgError.invalidRequest('id must be a string, number, or null'), respond: true };
  }
  const id = hasId ? (plainJson(rawId) as string | number | null) : undefined;
  const echo = id ?? null;
  if (value['jsonrpc'] !== '2.0') return { ok: false, id: echo, error: imsgError.invalidRequest('jsonrpc must be exactly 2.0'), respond: true };
  const method = value['method'];
  if (typeof method !== 'string' || method === '') return { ok: false, id: echo, error: imsgError.invalidRequest('method is required'), respond: true };
  const params = value['params'];
  if (params === undefined) return { ok: true, request: { id, method, params: {} } };
  if (typeof params !== 'object' || params === null || Array.isArray(params) || params instanceof JsonFloat) {
    return { ok: false, id: echo, error: imsgError.invalidParams('params must be an object when present'), respond: hasId };
  }
  return { ok: true, request: { id, method, params } };
}

function isValidId(value: StrictJson | undefined): boolean {
  return value === null || typeof value === 'string' || typeof value === 'number' || value instanceof JsonFloat;
}
