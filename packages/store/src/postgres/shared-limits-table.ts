import { type RateTake, retryAfterS, type SendRate } from '../port/send-rate.js';
import { type Queryable, stmt } from './pg-session.js';

// The refill since the last take (never negative: a hub whose clock is behind adds nothing), capped at burst.
const REFILLED = 'LEAST($2::float8, send_buckets.tokens + GREATEST(0, $4::bigint - send_buckets.at_ms) * $3::float8)';

/**
 * send_buckets and webhook_leases: what several hubs on one database share. Each call is one
 * statement (an upsert), so hubs racing for the last token or a free lease are serialized by the
 * row: one wins.
 */
export class SharedLimitsTable {
  async takeSendToken(db: Queryable, account: string, rate: SendRate, now: number): Promise<RateTake> {
    const { rows } = await db.query<{ tokens: number; took: boolean }>(
      stmt(
        `INSERT INTO send_buckets (account, tokens, at_ms, took) VALUES ($1, $2::float8 - 1, $4, true)
         ON CONFLICT (account) DO UPDATE SET
           tokens = CASE WHEN ${REFILLED} >= 1 THEN ${REFILLED} - 1 ELSE ${REFILLED} END,
           took = ${REFILLED} >= 1,
           at_ms = GREATEST(send_buckets.at_ms, $4::bigint)
         RETURNING tokens, took`,
        [account, rate.burst, rate.perMinute / 60_000, now],
      ),
    );
    const row = rows[0]!;
    return row.took ? { ok: true } : { ok: false, retryAfterS: retryAfterS(row.tokens, rate) };
  }

  async leaseWebhook(db: Queryable, id: string, holder: string, ttlMs: number, now: number): Promise<boolean> {
    const { rows } = await db.query(
      stmt(
        `INSERT INTO webhook_leases (id, holder, until_ms) VALUES ($1, $2, $3)
         ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms
           WHERE webhook_leases.holder = excluded.holder OR webhook_leases.until_ms <= $4
         RETURNING holder`,
        [id, holder, now + ttlMs, now],
      ),
    );
    return rows.length > 0;
  }

  async releaseWebhook(db: Queryable, id: string, holder: string): Promise<void> {
    await db.query(stmt('DELETE FROM webhook_leases WHERE id = $1 AND holder = $2', [id, holder]));
  }
}
