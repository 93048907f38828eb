import Database from 'better-sqlite3';
import { z } from 'zod';
import { SimError } from './errors.js';
import { tableColumns } from './schema-probe.js';

/**
 * What a simulated chat.db knows about itself, kept in an extra table (real imsg ignores unknown
 * tables): the world file it belongs to, its account's name and handles.
 */
export const SimMetaSchema = z.object({
  world: z.string().min(1).optional(),
  account: z.string().min(1).optional(),
  handles: z.array(z.string().min(1)).default([]),
});
export type SimMeta = z.infer<typeof SimMetaSchema>;

export const META_TABLE = 'imsg_sim_meta';

export function writeSimMeta(db: Database.Database, meta: SimMeta): void {
  db.exec(`CREATE TABLE IF NOT EXISTS ${META_TABLE} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  const put = db.prepare(`INSERT OR REPLACE INTO ${META_TABLE} (key, value) VALUES (?, ?)`);
  if (meta.world !== undefined) put.run('world', meta.world);
  if (meta.account !== undefined) put.run('account', meta.account);
  put.run('handles', JSON.stringify(meta.handles));
}

/** The meta of a chat.db, or undefined when it has none (a file Messages or a fixture made). */
export function readSimMeta(path: string): SimMeta | undefined {
  const db = new Database(path, { readonly: true, fileMustExist: true, timeout: 5000 });
  try {
    if (tableColumns(db, META_TABLE).size === 0) return undefined;
    const rows = db.prepare(`SELECT key, value FROM ${META_TABLE}`).all() as { key: string; value: string }[];
    const raw: Record<string, unknown> = {};
    for (const { key, value } of rows) raw[key] = key === 'handles' ? safeJson(value) : value;
    const parsed = SimMetaSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new SimError('WORLD_CONFIG', `${path}: ${META_TABLE}.${issue.path.join('.')}: ${issue.message}`);
    }
    return parsed.data;
  } finally {
    db.close();
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
