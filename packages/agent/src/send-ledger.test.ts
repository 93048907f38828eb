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
