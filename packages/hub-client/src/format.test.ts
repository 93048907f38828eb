import type { AccountHealth } from '@imsg-hub/hub-protocol';
import { describe, expect, it } from 'vitest';
import { formatAccount } from './format.js';

const account = (outbox: AccountHealth['outbox']): AccountHealth => ({
  name: 'alice',
  agent: { connected: true },
  imsg: { state: 'running' },
  cursor: { epoch: 1, hwm: 42 },
  messages: 7,
  outbox,
});

describe('formatAccount', () => {
  it('shows sends in doubt only when there are some', () => {
    expect(formatAccount(account({ queued: 2, dispatched: 1, in_doubt: 0 }))).toContain(' outbox=2q/1d last=-');
    expect(formatAccount(account({ queued: 0, dispatched: 0, in_doubt: 3 }))).toContain(' outbox=0q/0d/3 in doubt last=-');
  });
});
