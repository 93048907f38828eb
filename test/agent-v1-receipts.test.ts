import Database from 'better-sqlite3';
import { HubClient } from '@imsg-hub/hub-client';
import type { SendOutcome } from '@imsg-hub/hub-protocol';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// Issue 12 "Done when" 4: a send to another simulated account's handle goes sent → delivered →
// read as that account's chat.db gets the row and reads it. The sender's agent finds each step
// with imsg's message.send_status and reports it (send.receipt); a client sees it as send.status.

const ALICE = 'alice@example.com';
const BOB = '+14155550102';

describe('receipts through real processes', () => {
  it('a message to another of our accounts goes sent → delivered → read, and a watching client sees each step', async () => {
    await using tmp = tempDir('receipts-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: [ALICE], via: 'local', simArgs: ['--receipt-ms', '30'] },
        { name: 'bob', handles: [BOB], via: 'local', simArgs: ['--receipt-ms', '30'] },
      ],
    });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    const statuses: SendOutcome[] = [];
    client.on('send.status', (o: SendOutcome) => statuses.push(o));
    await client.watch({ since: 0, include_sends: true }, () => undefined);

    const sent = await client.call('send', { target: `alice/${BOB}`, text: 'did you get this?', idempotency_key: 'receipt-1', wait_ms: 15_000 });
    expect(sent).toMatchObject({ state: 'sent', account: 'alice' });
    const delivered = await client.call('send.status', { idempotency_key: 'receipt-1', wait_ms: 20_000, wait_for: 'delivered' });
    expect(delivered.result).toMatchObject({ delivery: 'delivered', delivered_at: expect.stringMatching(/Z$/) });
    // Not read yet: bob's copy is unread.
    const bobRow = () => {
      const db = new Database(fleet.world.info('bob').dbPath, { readonly: true });
      try {
        return db.prepare('SELECT is_read FROM message WHERE guid = ?').get(sent.result!.guid) as { is_read: number };
      } finally {
        db.close();
      }
    };
    expect(bobRow()).toEqual({ is_read: 0 });

    // bob reads the chat on his Mac (through the hub, as a client would mark it read).
    const chat = await waitFor(async () => (await client.call('chats.list', {})).chats.find((c) => c.account === 'bob' && c.identifier === ALICE), 20_000);
    await client.call('imsg.call', { account: 'bob', method: 'read', params: { chat_id: chat.id } });
    expect(bobRow()).toEqual({ is_read: 1 });
    const read = await client.call('send.status', { idempotency_key: 'receipt-1', wait_ms: 20_000, wait_for: 'read' });
    expect(read.result).toMatchObject({ delivery: 'read', read_at: expect.stringMatching(/Z$/) });

    await waitFor(() => statuses.some((o) => o.idempotency_key === 'receipt-1' && o.result?.['delivery'] === 'read'), 10_000);
    const steps = statuses.filter((o) => o.idempotency_key === 'receipt-1').map((o) => (o.state === 'sent' ? (o.result?.['delivery'] ?? 'sent') : o.state));
    expect(steps.filter((s, i) => s !== steps[i - 1])).toEqual(['queued', 'dispatched', 'sent', 'delivered', 'read']);
  }, 60_000);
});
