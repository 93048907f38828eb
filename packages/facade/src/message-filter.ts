import { isoDateParam, stringArrayParam, type Params } from '@imsg-hub/imsg-protocol';

/** imsg's `participants` / `start` / `end` filters of history and watch (reference §2.2, §2.3). */
export interface MessageFilter {
  /** Lower-cased handles; empty = everyone. */
  participants: string[];
  /** Inclusive lower bound on `created_at`, Unix ms. */
  startMs: number | undefined;
  /** Exclusive upper bound on `created_at`, Unix ms. */
  endMs: number | undefined;
}

/** Parses the filter params; a bad date is imsg's -32603 `Invalid ISO8601 date: <v>` (sic, not -32602). */
export function parseMessageFilter(params: Params): MessageFilter {
  const startMs = isoDateParam(params, 'start');
  const endMs = isoDateParam(params, 'end');
  return { participants: stringArrayParam(params, 'participants').map((p) => p.toLowerCase()), startMs, endMs };
}

export function isFiltering(f: MessageFilter): boolean {
  return f.participants.length > 0 || f.startMs !== undefined || f.endMs !== undefined;
}

/**
 * Whether a message passes: its sender (imsg: the handle, else `destination_caller_id`) among the
 * participants, case-insensitively, and its date within [start, end).
 */
export function matchesFilter(m: { sender: string; destination_caller_id?: string | undefined; created_at: string }, f: MessageFilter): boolean {
  if (f.participants.length > 0) {
    const who = (m.sender || m.destination_caller_id || '').toLowerCase();
    if (!f.participants.includes(who)) return false;
  }
  if (f.startMs !== undefined || f.endMs !== undefined) {
    const at = Date.parse(m.created_at);
    if (f.startMs !== undefined && !(at >= f.startMs)) return false;
    if (f.endMs !== undefined && !(at < f.endMs)) return false;
  }
  return true;
}
