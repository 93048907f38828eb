import { JsonLimitError, parseJsonBounded, type RpcError } from '@imsg-hub/jsonrpc';
import { imsgError } from './imsg-error.js';
import type { Params } from './coerce.js';

/** A request line as imsg understands it. `hasId` false means: answer errors only, never results. */
export interface ImsgRequest {
  id: unknown;
  hasId: boolean;
  method: string;
  params: Params;
}

export type ParsedLine = { ok: true; request: ImsgRequest } | { ok: false; id: unknown; error: RpcError };

/** Parses one line with imsg's checks in imsg's order (reference/imsg-protocol.md §1.3). */
export function parseImsgRequest(line: string): ParsedLine {
  let value: unknown;
  try {
    value = parseJsonBounded(line); // depth-bounded: a hostile line must not overflow anyone's stack
  } catch (err) {
    if (err instanceof JsonLimitError) return { ok: false, id: err.id, error: imsgError.invalidRequest(err.message) };
    return { ok: false, id: null, error: imsgError.parse() };
  }
  // JSONSerialization without .fragmentsAllowed rejects top-level scalars as a parse error.
  if (typeof value !== 'object' || value === null) return { ok: false, id: null, error: imsgError.parse() };
  if (Array.isArray(value)) return { ok: false, id: null, error: imsgError.invalidRequest('request must be an object') };
  const obj = value as Record<string, unknown>;
  const hasId = Object.hasOwn(obj, 'id');
  const id = hasId ? obj['id'] : null;
  const jsonrpc = obj['jsonrpc'];
  // A missing or non-string jsonrpc is accepted, as imsg does.
  if (typeof jsonrpc === 'string' && jsonrpc !== '2.0') {
    return { ok: false, id, error: imsgError.invalidRequest('jsonrpc must be 2.0') };
  }
  const method = obj['method'];
  if (typeof method !== 'string' || method === '') {
    return { ok: false, id, error: imsgError.invalidRequest('method is required') };
  }
  const rawParams = obj['params'];
  const params = typeof rawParams === 'object' && rawParams !== null && !Array.isArray(rawParams) ? (rawParams as Params) : {};
  return { ok: true, request: { id, hasId, method, params } };
}
