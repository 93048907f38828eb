import { TempStore } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { CursorStore } from './cursor-store.js';
import { StateDb } from './state-db.js';

/** The agent's state file in a temp dir; `reopen` is a restart. */
const tempState = () => new TempStore((dir) => new StateDb(dir), 'agent-state-');

describe('CursorStore', () => {
  it('advances only forwards and only within the epoch', async () => {
    await using t = tempState();
    const c = new CursorStore(t.state.db);
    c.reset('a', 1, 0);
    expect(c.ack('a', 1, 5, [{ rowid: 5, guid: 'g5' }], '2026-01-01T00:00:00.000Z')).toBe(true);
    expect(c.ack('a', 1, 3)).toBe(false);
    expect(c.ack('a', 2, 9)).toBe(false);
    expect(c.get('a')).toEqual({ epoch: 1, acked: 5, lastRowAt: '2026-01-01T00:00:00.000Z' });
    expect(c.seenRowid('a', 'g5')).toBe(5);
  });

  it('survives a reopen (it is on disk) and forgets seen rows on a new epoch', async () => {
    await using t = tempState();
    const c = new CursorStore(t.state.db);
    c.reset('a', 1, 0);
    c.ack('a', 1, 7, [{ rowid: 7, guid: 'g7' }]);
    const again = new CursorStore(t.reopen().db);
    expect(again.get('a')).toMatchObject({ epoch: 1, acked: 7 });
    again.reset('a', 1, 4); // the hub is authoritative, even backwards
    expect(again.get('a')).toMatchObject({ epoch: 1, acked: 4 });
    expect(again.seenRowid('a', 'g7')).toBe(7);
    again.reset('a', 2, 0);
    expect(again.seenRowid('a', 'g7')).toBeUndefined();
  });
});
