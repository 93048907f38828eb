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
