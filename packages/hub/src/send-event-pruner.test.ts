import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboxInsert } from '@imsg-hub/store';
import { SqliteStore } from '@imsg-hub/store/open';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SendEventPruner } from './send-event-pruner.js';

const send = (key: string): OutboxInsert => ({
  key,
  account: 'alice',
  method: 'send',
  target: '+15550001',
  route: 'explicit',
  chatId: undefined,
  params: { to: '+15550001', text: 'hi' },
  file: undefined,
  requestHash: key,
  client: 'test',
  expiresAt: undefined,
});

describe('SendEventPruner', () => {
  let dir: string;
  let store: SqliteStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'send-event-pruner-'));
    store = new SqliteStore(join(dir, 'hub.db'));
  });
  afterEach(async () => {
    vi.useRealTimers();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('deletes the entries older than the retention, keeps the rest and the sends themselves', async () => {
    vi.useFakeTimers({ now: new Date('2026-11-01T00:00:00Z'), toFake: ['Date'] });
    for (const key of ['old1', 'old2']) {
      await store.outboxInsert(send(key));
      await store.outboxUpdate(key, { state: 'sent', result: { ok: true, guid: key } });
    }
    vi.setSystemTime(new Date('2026-11-09T00:00:00Z'));
    await store.outboxInsert(send('new'));
    await store.outboxUpdate('new', { state: 'failed', error: { code: -32014, message: 'no' } });
    vi.setSystemTime(new Date('2026-11-10T00:00:00Z'));

    const pruner = new SendEventPruner({ store, log: pino({ level: 'silent' }) }, { retention_s: 7 * 86_400, prune_interval_ms: 3_600_000 });
    try {
      expect(await pruner.prune()).toBe(2);
      expect((await store.sendEvents({ afterSeq: 0, limit: 10 })).map((e) => [e.key, e.state])).toEqual([['new', 'failed']]);
      expect((await store.outboxGet('old1'))?.state).toBe('sent');
      expect(await pruner.prune()).toBe(0);
    } finally {
      pruner.close();
    }
  });
});
