import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { SimError } from './errors.js';
import { writeSimMeta, type SimMeta } from './sim-meta.js';

/** Messages' own table definitions (reference chat-db-schema.sql), shipped with this package. */
export function chatDbSchemaSql(): string {
  return readFileSync(new URL('../sql/chat-db-schema.sql', import.meta.url), 'utf8');
}

/** Some of Messages' own indexes on those tables (a real chat.db has them; the reference lists tables only). */
export function chatDbIndexesSql(): string {
  return readFileSync(new URL('../sql/chat-db-indexes.sql', import.meta.url), 'utf8');
}

export interface CreateChatDbOptions {
  handles?: readonly string[];
  /** Absolute path of the world file this db belongs to. */
  world?: string;
  account?: string;
  /** Replace an existing file (default: refuse). */
  overwrite?: boolean;
}

/** Creates an empty chat.db in WAL mode with Messages' schema plus the simulator's meta table. */
export function createChatDbFile(path: string, options: CreateChatDbOptions = {}): void {
  if (existsSync(path)) {
    if (!options.overwrite) throw new SimError('DB_OPEN_FAILED', `${path} already exists`);
    for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
  }
  mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  try {
    db.exec(chatDbSchemaSql());
    db.exec(chatDbIndexesSql());
    const meta: SimMeta = { handles: [...(options.handles ?? [])] };
    if (options.world !== undefined) meta.world = options.world;
    if (options.account !== undefined) meta.account = options.account;
    writeSimMeta(db, meta);
  } finally {
    db.close();
  }
}
