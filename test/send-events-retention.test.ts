import { join } from 'node:path';
import { HubClient } from '@imsg-hub/hub-client';
import { PROTOCOL_VERSION } from '@imsg-hub/hub-protocol';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import { startHubProcess, tempDir, waitFor } from '@imsg-hub/testkit';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

// The send-event log (what `send.*` webhooks follow) keeps `send_events.retention_s`, in a real hub.
describe('send-event log retention', () => {
  it('deletes entries older than the retention; the sends and their outcomes stay', async () => {
    await using tmp = tempDir('send-events-retention-');
    await using hub = await startHubProcess({
      dir: tmp.path,
      store: 'sqlite',
      config: { accounts: { alice: { handles: [] } }, default_account: 'alice', send_events: { retention_s: 1, prune_interval_ms: 200 } },
    });
    const socket = new WebSocket(hub.url);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const agent = new Peer(new WebSocketTransport(socket), {
      onRequest: async (method) => (method === 'send.dispatch' ? { status: 'sent', result: { ok: true, guid: 'SENT-1' } } : {}),
    });
    await agent.request('hello', {
      protocol: PROTOCOL_VERSION,
      role: 'agent',
      token: await hub.token('agent', ['alice']),
      agent: { id: 'a', version: '0' },
      accounts: ['alice'],
    });
    await using client = await HubClient.connect({ url: hub.url, token: await hub.token('client', '*') });

    const sent = (await client.call('send', { target: '+14155550100', text: 'hi', idempotency_key: 'k1', wait_ms: 10_000 })) as { state: string };
    expect(sent.state).toBe('sent');
    const db = new Database(join(hub.dataDir, 'hub.db'), { readonly: true, fileMustExist: true });
    try {
      const entries = () => (db.prepare('SELECT COUNT(*) AS n FROM send_events').get() as { n: number }).n;
      expect(entries()).toBe(1);
      await waitFor(() => entries() === 0, 20_000);
      expect(((await client.call('send.status', { idempotency_key: 'k1' })) as { state: string }).state).toBe('sent');
    } finally {
      db.close();
      await agent.close();
    }
  }, 60_000);
});
