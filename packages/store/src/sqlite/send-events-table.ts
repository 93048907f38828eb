import type Database from 'better-sqlite3';
import type { SendEventQuery, SendEventRecord } from '../port/records.js';

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

/** send_events: the outbox's outcome log, written by triggers (migrations/009-send-events.sql). */
export class SendEventsTable {
  readonly #after: Database.Statement;
  readonly #afterIn: Database.Statement;
  readonly #max: Database.Statement;

  constructor(db: Database.Database) {
    this.#after = db.prepare('SELECT * FROM send_events WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#afterIn = db.prepare('SELECT * FROM send_events WHERE seq > ? AND account IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?');
    this.#max = db.prepare('SELECT COALESCE(MAX(seq), 0) AS m FROM send_events');
  }

  after(q: SendEventQuery): SendEventRecord[] {
    const rows = q.accounts ? this.#afterIn.all(q.afterSeq, JSON.stringify(q.accounts), q.limit) : this.#after.all(q.afterSeq, q.limit);
    return (rows as SendEventRow[]).map(toRecord);
  }

  maxSeq(): number {
    return (this.#max.get() as { m: number }).m;
  }
}
