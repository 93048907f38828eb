import { type Queryable, stmt } from './pg-session.js';

/** webhook_cursors: the last hub sequence each webhook's receiver acknowledged. */
export class WebhookCursorsTable {
  async get(db: Queryable, id: string): Promise<number | undefined> {
    return (await db.query<{ seq: number }>(stmt('SELECT seq FROM webhook_cursors WHERE id = $1', [id]))).rows[0]?.seq;
  }

  async set(db: Queryable, id: string, seq: number): Promise<void> {
    await db.query(
      stmt(
        'INSERT INTO webhook_cursors (id, seq, updated_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at',
        [id, seq, new Date().toISOString()],
      ),
    );
  }
}
