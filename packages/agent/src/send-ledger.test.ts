import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { TempStore } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { SendLedger } from './send-ledger.js';
import { StateDb } from './state-db.js';

/** The agent's state file in a temp dir; `reopen` is a restart. */
const tempState = () => new TempStore((dir) => new StateDb(dir), 'agent-state-');

describe('SendLedger', () => {
  it('records passing, then a final outcome that is never replaced', async () => {
    await using t = tempState();
    const l = new SendLedger(t.state.db);
    l.recordPassing('k1', 'a', { to: '+1', text: 'hi' }, 1000);
    expect(l.get('k1')).toMatchObject({ state: 'passing', passedAt: 1000, params: { to: '+1', text: 'hi' } });
    l.recordSent('k1', { ok: true, id: 42, guid: 'G' }, 42);
    l.recordFailed('k1', { code: -32603, message: 'Internal error', data: 'late' });
    l.recordPassing('k1', 'a', { to: '+1', text: 'again' }, 2000);
    expect(l.get('k1')).toMatchObject({ state: 'sent', result: { id: 42 }, echoRowid: 42, passedAt: 1000 });
    expect(l.claimedRowids('a')).toEqual(new Set([42]));
  });

  it('keeps imsg errors verbatim and survives a reopen', async () => {
    await using t = tempState();
    const l = new SendLedger(t.state.db);
    l.recordPassing('k2', 'a', { chat_id: 9, text: 'x' }, 1);
    l.recordFailed('k2', { code: -32602, message: 'Invalid params', data: 'unknown chat_id 9' });
    expect(new SendLedger(t.reopen().db).get('k2')).toMatchObject({
      state: 'failed',
      error: { code: -32602, message: 'Invalid params', data: 'unknown chat_id 9' },
    });
    expect(new SendLedger(t.state.db).get('nope')).toBeUndefined();
  });
});

describe('SendLedger: typed outcomes and receipts', () => {
  it('keeps a key in doubt until proven; only forward receipts; not-started keys are forgotten', async () => {
    await using t = tempState();
    const l = new SendLedger(t.state.db);
    l.recordPassing('k', 'a', { to: '+1', text: 'hi', attempt_id: 'g' }, 1, { method: 'send.tracked', attemptId: 'g' });
    l.recordInDoubt('k', { code: -32001, message: 'Delivery outcome unknown' });
    l.recordFailed('k', { code: -32603, message: 'never' });
    l.recordPassing('k', 'a', { to: '+1', text: 'again' }, 2);
    expect(l.get('k')).toMatchObject({ state: 'in_doubt', method: 'send.tracked', attemptId: 'g', doubt: { code: -32001 }, passedAt: 1 });
    expect(l.openCounts('a')).toEqual({ passing: 0, in_doubt: 1 });
    l.recordSent('k', { ok: true, guid: 'g' });
    expect(l.get('k')).toMatchObject({ state: 'sent', result: { guid: 'g' } });
    expect(l.awaitingReceipts('a', 0)).toEqual([expect.objectContaining({ key: 'k', guid: 'g' })]);
    l.recordReceipt('k', 'read');
    l.recordReceipt('k', 'delivered');
    expect(l.awaitingReceipts('a', 0)).toEqual([]);

    l.recordPassing('n', 'a', { to: '+1', text: 'x' }, 3);
    l.forget('n');
    expect(l.get('n')).toBeUndefined();
    // Only the operator's word releases a key in doubt (forget never does); a sent key is never released.
    l.recordPassing('d', 'a', { to: '+1', text: 'y' }, 4);
    l.recordInDoubt('d');
    l.forget('d');
    expect(l.get('d')).toMatchObject({ state: 'in_doubt' });
    l.release('d');
    expect(l.get('d')).toBeUndefined();
    l.release('k');
    expect(l.get('k')).toMatchObject({ state: 'sent' });
    expect(new SendLedger(t.reopen().db).get('k')).toMatchObject({ state: 'sent' });
  });

  it('migrates a ledger written before typed outcomes: keys keep their state, and are untracked sends', () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-state-v2-'));
    try {
      const old = new Database(join(dir, 'agent.sqlite'));
      old.exec(`CREATE TABLE cursor (account TEXT PRIMARY KEY, epoch INTEGER NOT NULL, acked INTEGER NOT NULL, last_row_at TEXT, updated_at INTEGER NOT NULL);
        CREATE TABLE seen (account TEXT NOT NULL, rowid INTEGER NOT NULL, guid TEXT NOT NULL, PRIMARY KEY (account, rowid)) WITHOUT ROWID;
        CREATE TABLE send_ledger (key TEXT PRIMARY KEY, account TEXT NOT NULL, state TEXT NOT NULL CHECK (state IN ('passing', 'sent', 'failed')),
          params TEXT NOT NULL, passed_at INTEGER NOT NULL, result TEXT, error TEXT, echo_rowid INTEGER, updated_at INTEGER NOT NULL);
        INSERT INTO send_ledger VALUES ('left', 'a', 'passing', '{"to":"+1","text":"?"}', 5, NULL, NULL, NULL, 5);
        INSERT INTO send_ledger VALUES ('done', 'a', 'sent', '{"to":"+1","text":"!"}', 6, '{"ok":true,"id":9}', NULL, 9, 6);`);
      old.pragma('user_version = 2');
      old.close();
      const state = new StateDb(dir);
      const l = new SendLedger(state.db);
      expect(l.get('left')).toEqual({ key: 'left', account: 'a', method: 'send', params: { to: '+1', text: '?' }, passedAt: 5, state: 'passing' });
      expect(l.get('done')).toMatchObject({ state: 'sent', method: 'send', result: { id: 9 }, echoRowid: 9 });
      state.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
