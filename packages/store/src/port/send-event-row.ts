import type { SendEventRecord } from './records.js';

/** A send_events row as both adapters read it. */
export interface SendEventRow {
  seq: number;
  key: string;
  account: string;
  state: string;
  delivery: string | null;
  at: string;
}

export const sendEventRecord = (r: SendEventRow): SendEventRecord => ({
  seq: Number(r.seq),
  key: r.key,
  account: r.account,
  state: r.state,
  delivery: r.delivery ?? undefined,
  at: r.at,
});

/** The oldest entries of the log, as a prune reads them (seq ascending). */
export interface PruneCandidate {
  seq: number | string;
  at: string;
}

/** The seq through which a prune deletes: the last of the leading entries written before `before`. */
export function lastBefore(oldest: readonly PruneCandidate[], before: string): number | undefined {
  let through: number | undefined;
  for (const e of oldest) {
    if (!(e.at < before)) break;
    through = Number(e.seq);
  }
  return through;
}
