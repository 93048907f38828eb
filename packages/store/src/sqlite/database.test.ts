import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteStore } from './sqlite-store.js';

const MIGRATIONS = fileURLToPath(new URL('../../migrations/', import.meta.url));
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'store-migrate-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A database as an older imsg-hub left it: the migrations up to `version` applied. */
function databaseAt(path: string, version: number): Database.Database {
  const db = new Database(path);
  for (const file of readdirSync(MIGRATIONS).sort()) {
    const n = Number(file.slice(0, 3));
    if (!(n <= version)) continue;
    db.exec(readFileSync(join(MIGRATIONS, file), 'utf8'));
    db.pragma(`user_version = ${n}`);
  }
  return db;
}

describe('SQLite migrations', () => {
  it('keeps every outbox row when 007 rebuilds the table for sends in doubt', async () => {
    const path = join(dir, 'hub.db');
    const old = databaseAt(path, 6);
    const insert = old.prepare(
      `INSERT INTO outbox (key, n, account, method, target, route, chat_id, params, file, request_hash, client, state, attempts, result, error, message_seq, expires_at, created_at, updated_at)
       VALUES (?, ?, 'alice', ?, '+14155550100', 'explicit', NULL, '{"text":"hi"}', NULL, 'h', 'c', ?, 1, ?, NULL, NULL, 5000, 't0', 't1')`,
    );
    insert.run('c:a', 1, 'send', 'sent', '{"guid":"G"}');
    insert.run('c:b', 2, 'tapback', 'dispatched', null);
    expect(() => insert.run('c:x', 3, 'send', 'in_doubt', null)).toThrow(/CHECK/);
    old.close();

    const store = new SqliteStore(path);
    try {
      expect(await store.outboxGet('c:a')).toMatchObject({ n: 1, method: 'send', state: 'sent', result: { guid: 'G' }, expiresAt: 5000, createdAt: 't0' });
      expect(await store.outboxGet('c:b')).toMatchObject({ n: 2, method: 'tapback', state: 'dispatched', resolution: undefined });
      expect((await store.outboxUpdate('c:b', { state: 'in_doubt' })).state).toBe('in_doubt');
      expect((await store.outbox({ unlinkedResultGuids: ['G'] })).map((r) => r.key)).toEqual(['c:a']);
    } finally {
      await store.close();
    }
  });
});
