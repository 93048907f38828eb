import { existsSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type pg from 'pg';
import { openDatabase } from '../sqlite/database.js';
import { COMMIT_CHANNEL } from './notify-listener.js';
import { COMMIT_LOCK, inTransaction, LOCK_SPACE } from './pg-session.js';
import { searchVector } from './search-text.js';

/** How each table is copied: its key, and which SQLite columns hold booleans, JSON text or bytes. */
interface TableCopy {
  table: string;
  key: string[];
  order: string;
  booleans?: string[];
  json?: string[];
  bytes?: string[];
  /** Columns a row already in the target takes from the source (default: all); [] keeps it as it is. */
  update?: string[];
  /** A column only PostgreSQL has, computed from the (converted) source row. */
  derived?: { column: string; value: (row: Record<string, unknown>) => unknown };
}

const TABLES: TableCopy[] = [
  { table: 'accounts', key: ['name'], order: 'name' },
  { table: 'tokens', key: ['id'], order: 'id', json: ['accounts'], bytes: ['secret_hash'] },
  { table: 'chats', key: ['id'], order: 'id', booleans: ['is_group'], json: ['participants'] },
  {
    table: 'messages',
    key: ['seq'],
    order: 'seq',
    booleans: ['is_from_me', 'is_reaction', 'replay'],
    json: ['body'],
    update: ['send_key'],
    derived: { column: 'search', value: (r) => (r['is_reaction'] ? null : searchVector((r['body'] as { text?: string }).text)) },
  },
  { table: 'own_handles', key: ['handle'], order: 'handle' },
  { table: 'affinity', key: ['handle'], order: 'handle' },
  { table: 'outbox', key: ['key'], order: 'n', json: ['params', 'file', 'result', 'error'] },
  { table: 'webhook_cursors', key: ['id'], order: 'id' },
  { table: 'send_events', key: ['seq'], order: 'seq' },
  { table: 'blob_refs', key: ['sha256', 'account'], order: 'sha256, account', update: [] },
];

const PAGE = 2000;

export interface CopyProgress {
  table: string;
  copied: number;
  total: number;
}

/**
 * Copies a SQLite hub store into a (migrated) PostgreSQL database, ids kept: message seqs, chat ids,
 * send numbers. Safe to run again: rows already there are updated to the source's state (messages and
 * blob references are kept), new ones added; run it once more after stopping the SQLite hub to take
 * the last rows. One transaction under the commit lock, so hubs on the target never see half a copy.
 */
export async function copySqliteToPostgres(sqlitePath: string, pool: pg.Pool, onProgress?: (p: CopyProgress) => void): Promise<Record<string, number>> {
  if (!existsSync(sqlitePath)) throw new Error(`no SQLite store at ${sqlitePath}: pass the hub's --data-dir or --config`);
  // Opened as the hub opens it (pending SQLite migrations applied), then read in one snapshot.
  const db = openDatabase(sqlitePath);
  try {
    db.exec('BEGIN');
    const counts: Record<string, number> = {};
    await inTransaction(pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_SPACE, COMMIT_LOCK]);
      // The send-event log is copied as it is: outbox rows written here add no entries of their own.
      await client.query("SELECT set_config('imsg_hub.copying', 'on', true)");
      for (const t of TABLES) counts[t.table] = await copyTable(db, client, t, onProgress);
      // Sends numbered from here on come after the copied ones.
      await client.query("SELECT setval(pg_get_serial_sequence('outbox', 'n'), GREATEST((SELECT MAX(n) FROM outbox), 1))");
      await client.query("SELECT setval(pg_get_serial_sequence('send_events', 'seq'), GREATEST((SELECT MAX(seq) FROM send_events), 1))");
      const max = (await client.query<{ m: number }>('SELECT COALESCE(MAX(seq), 0)::bigint AS m FROM messages')).rows[0]!.m;
      if (max > 0) await client.query('SELECT pg_notify($1, $2)', [COMMIT_CHANNEL, String(max)]);
    });
    return counts;
  } finally {
    if (db.inTransaction) db.exec('ROLLBACK');
    db.close();
  }
}

async function copyTable(db: Database.Database, client: pg.PoolClient, t: TableCopy, onProgress?: (p: CopyProgress) => void): Promise<number> {
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM ${t.table}`).get() as { n: number }).n;
  const columns = (db.prepare(`SELECT name FROM pragma_table_info('${t.table}')`).all() as { name: string }[]).map((c) => c.name);
  if (t.derived) columns.push(t.derived.column);
  const rest = columns.filter((c) => !t.key.includes(c));
  const update = t.update ?? rest;
  const conflict = update.length ? `DO UPDATE SET ${update.map((c) => `${c} = excluded.${c}`).join(', ')}` : 'DO NOTHING';
  const sql = `INSERT INTO ${t.table} (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM json_populate_recordset(NULL::${t.table}, $1::json)
               ON CONFLICT (${t.key.join(', ')}) ${conflict}`;
  let copied = 0;
  onProgress?.({ table: t.table, copied, total });
  let page: Record<string, unknown>[] = [];
  const flush = async () => {
    await client.query(sql, [JSON.stringify(page)]);
    copied += page.length;
    page = [];
    onProgress?.({ table: t.table, copied, total });
  };
  // One read transaction (a consistent snapshot of the source), streamed in pages.
  for (const row of db.prepare(`SELECT * FROM ${t.table} ORDER BY ${t.order}`).iterate() as Iterable<Record<string, unknown>>) {
    for (const c of t.booleans ?? []) row[c] = row[c] === 1;
    for (const c of t.json ?? []) row[c] = typeof row[c] === 'string' ? JSON.parse(row[c] as string) : null;
    for (const c of t.bytes ?? []) row[c] = `\\x${(row[c] as Buffer).toString('hex')}`;
    if (t.derived) row[t.derived.column] = t.derived.value(row);
    page.push(row);
    if (page.length >= PAGE) await flush();
  }
  if (page.length) await flush();
  return copied;
}
