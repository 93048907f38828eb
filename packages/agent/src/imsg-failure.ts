import { DeliveryFailureDataSchema, ImsgV1ErrorCode, type DeliveryDisposition } from '@imsg-hub/imsg-protocol';
import { JsonRpcErrorCode, RpcError } from '@imsg-hub/jsonrpc';
import type { ImsgErrorObject } from './send-ledger.js';

/**
 * What a failed imsg mutation means for the key (reference/imsg-protocol-v1.md §2.4–2.6), read from
 * the code and the typed `data` only — never from text:
 * - `not_started`: -32603 with `{disposition: "not_started"}`: proved not to have happened; safe to retry.
 * - `in_doubt`: -32001: it may have happened (`may_have_completed`) or may still (`still_in_flight`,
 *   which also blocks the mutation lane until imsg restarts). Never retried on a guess.
 * - `lane_blocked`: -32004: refused because an earlier mutation is still in flight; not started.
 * - `database_unavailable`: -32002; `busy`: -32000 (admission refused). Neither started.
 * - `refused`: any other answer (bad params, unknown chat, imsg's own error): final, kept verbatim.
 * - `lost`: no answer at all (timeout, imsg gone, an unreadable result): unknown.
 */
export type ImsgFailure =
  | { kind: 'not_started'; error: ImsgErrorObject }
  | { kind: 'in_doubt'; error: ImsgErrorObject; disposition: DeliveryDisposition }
  | { kind: 'lane_blocked'; error: ImsgErrorObject }
  | { kind: 'database_unavailable'; error: ImsgErrorObject }
  | { kind: 'busy'; error: ImsgErrorObject }
  | { kind: 'refused'; error: ImsgErrorObject }
  | { kind: 'lost'; cause: Error };

export function errorObject(err: RpcError): ImsgErrorObject {
  return { code: err.code, message: err.message, ...(err.data !== undefined ? { data: err.data } : {}) };
}

export function classifyImsgFailure(err: unknown): ImsgFailure {
  if (!(err instanceof RpcError)) return { kind: 'lost', cause: err instanceof Error ? err : new Error(String(err)) };
  const error = errorObject(err);
  const delivery = DeliveryFailureDataSchema.safeParse(err.data);
  switch (err.code) {
    case ImsgV1ErrorCode.DeliveryOutcomeUnknown:
      return { kind: 'in_doubt', error, disposition: delivery.success ? delivery.data.disposition : 'may_have_completed' };
    case ImsgV1ErrorCode.MutationLaneBlocked:
      return { kind: 'lane_blocked', error };
    case ImsgV1ErrorCode.DatabaseUnavailable:
      return { kind: 'database_unavailable', error };
    case ImsgV1ErrorCode.ServerBusy:
      return { kind: 'busy', error };
    case JsonRpcErrorCode.InternalError:
      if (delivery.success && delivery.data.disposition === 'not_started') return { kind: 'not_started', error };
      return { kind: 'refused', error };
    default:
      return { kind: 'refused', error };
  }
}
