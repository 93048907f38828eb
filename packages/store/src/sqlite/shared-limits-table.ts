import type Database from 'better-sqlite3';
import { type RateTake, retryAfterS, type SendRate } from '../port/send-rate.js';

// The refill since the last take (never negative: a clock behind it adds nothing), capped at burst.
const REFILLED = 'min(@burst, tokens + max(0, @now - at_ms) * @perMs)';

/** send_buckets and webhook_leases: what several hubs on one store share (one hub on SQLite, but the same contract). */
export class SharedLimitsTable {
  readonly #take: Database.Statement;
  readonly #lease: Database.Statement;
  readonly #release: Database.Statement;

  constructor(db: Database.Database) {
    this.#take = db.prepare(
      `INSERT INTO send_buckets (account, tokens, at_ms, took) VALUES (@account, @burst - 1, @now, 1)
       ON CONFLICT (account) DO UPDATE SET
         tokens = CASE WHEN ${REFILLED} >= 1 THEN ${REFILLED} - 1 ELSE ${REFILLED} END,
         took = ${REFILLED} >= 1,
         at_ms = max(at_ms, @now)
       RETURNING tokens, took`,
    );
    this.#lease = db.prepare(
      `INSERT INTO webhook_leases (id, holder, until_ms) VALUES (@id, @holder, @until)
       ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, until_ms = excluded.until_ms
         WHERE webhook_leases.holder = excluded.holder OR webhook_leases.until_ms <= @now
       RETURNING holder`,
    );
    this.#release = db.prepare('DELETE FROM webhook_leases WHERE id = ? AND holder = ?');
  }

  takeSendToken(account: string, rate: SendRate, now: number): RateTake {
    const row = this.#take.get({ account, burst: rate.burst, perMs: rate.perMinute / 60_000, now }) as { tokens: number; took: number };
    return row.took ? { ok: true } : { ok: false, retryAfterS: retryAfterS(row.tokens, rate) };
  }

  leaseWebhook(id: string, holder: string, ttlMs: number, now: number): boolean {
    return this.#lease.get({ id, holder, until: now + ttlMs, now }) !== undefined;
  }

  releaseWebhook(id: string, holder: string): void {
    this.#release.run(id, holder);
  }
}
