import type { SendEventQuery, SendEventRecord } from '../port/records.js';
import { lastBefore, type PruneCandidate, type SendEventRow, sendEventRecord } from '../port/send-event-row.js';
import { type Queryable, stmt } from './pg-session.js';

const toRecord = sendEventRecord;

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

  async prune(db: Queryable, before: string, limit: number): Promise<number> {
    const oldest = await db.query<PruneCandidate>(stmt('SELECT seq, at FROM send_events ORDER BY seq LIMIT $1', [limit]));
    const through = lastBefore(oldest.rows, before);
    return through === undefined ? 0 : ((await db.query(stmt('DELETE FROM send_events WHERE seq <= $1', [through]))).rowCount ?? 0);
  }

  async maxSeq(db: Queryable): Promise<number> {
    return (await db.query<{ m: number }>(stmt('SELECT COALESCE(MAX(seq), 0)::bigint AS m FROM send_events', []))).rows[0]!.m;
  }
}
