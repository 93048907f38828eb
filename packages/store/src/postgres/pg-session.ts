import { createHash } from 'node:crypto';
import pg from 'pg';

/** A pool or one checked-out connection: whatever runs a query. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** Advisory lock keys (two int4 halves): the first is 'imsg' in ASCII, the second what it guards. */
export const LOCK_SPACE = 0x696d7367;
export const MIGRATE_LOCK = 1;
export const COMMIT_LOCK = 2;
/** Taken by the send_events trigger (migrations-postgres/004-send-events.sql), so its seqs commit in order (3 is commit-turn.ts's TURN_LOCK). */
export const SEND_EVENTS_LOCK = 4;

const INT8 = 20;
/** bigint columns come back as numbers (ids and sequences stay far below 2^53; refuse if not). */
const parseInt8 = (text: string): number => {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new RangeError(`integer ${text} is beyond what the hub handles (2^53)`);
  return n;
};
export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/**
 * A named (server-side prepared, once per connection) query. Names derive from the text, so each
 * distinct statement is planned once per connection however it was built.
 */
export function stmt(text: string, values: unknown[] = []): pg.QueryConfig {
  return { name: `q${createHash('sha1').update(text).digest('hex').slice(0, 16)}`, text, values };
}

/** A parameterized statement, alone or as a part of a larger one (its `$n` numbered from 1). */
export interface SqlPart {
  text: string;
  values: unknown[];
}

/**
 * Data-modifying parts in one statement (`WITH p0 AS (…), p1 AS (…) SELECT …`): one round trip for
 * all of them, their `$n` renumbered. Each part named in `counted` has `RETURNING 1` added and the
 * count of its rows is answered as column `<name>`. The parts see the same snapshot (none sees
 * another's rows), so only parts that don't read each other's tables belong together.
 */
export function combineParts(parts: readonly (SqlPart & { name: string; counted?: boolean })[]): SqlPart {
  const values: unknown[] = [];
  const ctes = parts.map((p) => {
    const offset = values.length;
    values.push(...p.values);
    const text = p.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    return `${p.name} AS (${text}${p.counted ? ' RETURNING 1' : ''})`;
  });
  const counts = parts.filter((p) => p.counted).map((p) => `(SELECT count(*) FROM ${p.name})::int AS ${p.name}`);
  return { text: `WITH ${ctes.join(', ')} SELECT ${counts.length > 0 ? counts.join(', ') : '1 AS done'}`, values };
}

/** The URL with any password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable PostgreSQL URL)';
  }
}

/** A unique-constraint violation (SQLSTATE 23505), with the constraint's name. */
export function uniqueViolation(err: unknown): string | undefined {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23505' ? (e.constraint ?? 'unique') : undefined;
}

/**
 * A transaction in fewer round trips: `opening` (statements with no parameters: constants only)
 * is sent with BEGIN as one simple query, and `fn` gets the rows of its last statement; `closing`
 * (likewise constant text, or nothing) is sent with COMMIT. Rolled back on any failure, as
 * `inTransaction`.
 */
export async function batchedTransaction<T>(
  pool: pg.Pool,
  opening: string,
  fn: (client: pg.PoolClient, openingRows: Record<string, unknown>[]) => Promise<T>,
  closing: (out: T) => string | undefined,
): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    const results = (await client.query(`BEGIN; ${opening}`)) as unknown as pg.QueryResult[];
    const out = await fn(client, results[results.length - 1]!.rows as Record<string, unknown>[]);
    const end = closing(out);
    await client.query(end ? `${end}; COMMIT` : 'COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true; // the connection is gone: don't return it to the pool
    });
    throw err;
  } finally {
    client.release(broken);
  }
}

/** Runs `fn` in one transaction on one connection; rolls back on any error. */
export async function inTransaction<T>(pool: pg.Pool, fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken = false;
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {
      broken = true; // the connection is gone: don't return it to the pool
    });
    throw err;
  } finally {
    client.release(broken);
  }
}
