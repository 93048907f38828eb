import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { TURN_LOCK } from './commit-turn.js';
import { COMMIT_LOCK, LOCK_SPACE, MIGRATE_LOCK, SEND_EVENTS_LOCK } from './pg-session.js';

// The send_events trigger takes a transaction lock written into its migration as numbers: it must
// be SEND_EVENTS_LOCK, and no other lock's key (sharing commit-turn's would stall every outcome
// while a hub holds its commit turn).
it('the send_events trigger locks its own advisory key', () => {
  const sql = readFileSync(new URL('../../migrations-postgres/004-send-events.sql', import.meta.url), 'utf8');
  expect(sql).toContain(`pg_advisory_xact_lock(${LOCK_SPACE}, ${SEND_EVENTS_LOCK})`);
  expect(new Set([MIGRATE_LOCK, COMMIT_LOCK, TURN_LOCK, SEND_EVENTS_LOCK]).size).toBe(4);
});
