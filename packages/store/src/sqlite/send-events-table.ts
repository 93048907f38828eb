import type Database from 'better-sqlite3';
import type { SendEventQuery, SendEventRecord } from '../port/records.js';
import { lastBefore, type PruneCandidate, type SendEventRow, sendEventRecord } from '../port/send-event-row.js';

const toRecord = sendEventRecord;

/** send_events: the outbox's outcome log, written by triggers (migrations/009-send-events.sql). */
export class SendEventsTable {
  readonly #after: Database.Statement;
  readonly #afterIn: Database.Statement;
  readonly #max: Database.Statement;
  readonly #oldest: Database.Statement;
  readonly #deleteThrough: Database.Statement;

  constructor(db: Database.Database) {
    this.#after = db.prepare('SELECT * FROM send_events WHERE seq > ? ORDER BY seq LIMIT ?');
    this.#afterIn = db.prepare('SELECT * FROM send_events WHERE seq > ? AND account IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT ?');
    this.#max = db.prepare('SELECT COALESCE(MAX(seq), 0) AS m FROM send_events');
    this.#oldest = db.prepare('SELECT seq, at FROM send_events ORDER BY seq LIMIT ?');
    this.#deleteThrough = db.prepare('DELETE FROM send_events WHERE seq <= ?');
  }

  after(q: SendEventQuery): SendEventRecord[] {
    const rows = q.accounts ? this.#afterIn.all(q.afterSeq, JSON.stringify(q.accounts), q.limit) : this.#after.all(q.afterSeq, q.limit);
    return (rows as SendEventRow[]).map(toRecord);
  }

  maxSeq(): number {
    return (this.#max.get() as { m: number }).m;
  }

  prune(before: string, limit: number): number {
    const through = lastBefore(this.#oldest.all(limit) as PruneCandidate[], before);
    return through === undefined ? 0 : this.#deleteThrough.run(through).changes;
  }
}
