import type { AccountRecord, CommitRecords } from '../port/records.js';
import { type AccountRow, accountRecord } from '../port/record-rows.js';
import { type Queryable, type SqlPart, stmt } from './pg-session.js';

const toRecord = accountRecord;

const COLUMNS = 'name, epoch, hwm, last_row_at, message_count';

/** accounts: epoch and high-water mark per account. */
export class AccountsTable {
  async all(db: Queryable): Promise<AccountRecord[]> {
    return (await db.query<AccountRow>(stmt(`SELECT ${COLUMNS} FROM accounts ORDER BY name COLLATE "C"`))).rows.map(toRecord);
  }

  async ensure(db: Queryable, name: string): Promise<AccountRecord> {
    await db.query(stmt('INSERT INTO accounts (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, new Date().toISOString()]));
    return toRecord((await db.query<AccountRow>(stmt(`SELECT ${COLUMNS} FROM accounts WHERE name = $1`, [name]))).rows[0]!);
  }

  /** Each account's new progress; when one account appears twice, the last entry wins (as applied in order). */
  async progress(db: Queryable, list: CommitRecords['accounts']): Promise<void> {
    const part = this.progressPart(list);
    if (part) await db.query(stmt(part.text, part.values));
  }

  /** The update as a statement of its own or a part of the commit's one. */
  progressPart(list: CommitRecords['accounts']): SqlPart | undefined {
    if (list.length === 0) return undefined;
    const last = [...new Map(list.map((p) => [p.name, p])).values()];
    return {
      text: `UPDATE accounts a SET hwm = p.hwm, last_row_at = COALESCE(p.last_row_at, a.last_row_at), message_count = p.message_count
         FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[]) AS p (name, hwm, last_row_at, message_count)
         WHERE a.name = p.name`,
      values: [last.map((p) => p.name), last.map((p) => p.hwm), last.map((p) => p.lastRowAt ?? null), last.map((p) => p.messageCount)],
    };
  }

  async newEpoch(db: Queryable, name: string): Promise<AccountRecord> {
    await this.ensure(db, name);
    const r = await db.query<AccountRow>(stmt(`UPDATE accounts SET epoch = epoch + 1, hwm = 0 WHERE name = $1 RETURNING ${COLUMNS}`, [name]));
    return toRecord(r.rows[0]!);
  }
}
