import type { SendEventQuery, SendEventRecord } from '../port/records.js';
import { type Queryable, stmt } from './pg-session.js';

interface SendEventRow {
  seq: number;
  key: string;
  account: string;
  state: string;
  delivery: string | null;
  at: string;
}

const toRecord = (r: SendEventRow): SendEventRecord => ({
  seq: r.seq,
  key: r.key,
  account: r.account,
  state: r.state,
  delivery: r.delivery ?? undefined,
  at: r.at,
});

/** send_events: the outbox's outcome log, written by a trigger (migrations-postgres/004-send-events.sql). */
export class SendEventsTable {
  async after(db: Queryable, q: SendEventQuery): Promise<SendEventRecord[]> {
    const rows = q.accounts
      ? await db.query<SendEventRow>(
          stmt('SELECT * FROM send_events WHERE seq > $1 AND account = ANY($2) ORDER BY seq LIMIT $3', [q.afterSeq, q.accounts, q.limit]),
        )
      : await db.query<SendEventRow>(stmt('SELECT * FROM send_events WHERE seq > $1 ORDER BY seq LIMIT $2', [q.afterSeq, q.limit]));
    return rows.rows.map(toRecord);
  }

  async maxSeq(db: Queryable): Promise<number> {
    return (await db.query<{ m: number }>(stmt('SELECT COALESCE(MAX(seq), 0)::bigint AS m FROM send_events', []))).rows[0]!.m;
  }
}
