import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { verifyWebhook } from '@imsg-hub/hub';
import { HubClient } from '@imsg-hub/hub-client';
import { type SendOutcome, WebhookBatchSchema, type WebhookSendEvent } from '@imsg-hub/hub-protocol';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// Issue 13 "Done when": receipts of a message sent to another simulated account reach `read` in
// the stream and at a webhook. Real sim, agents and hub; the receiver is an HTTP server on loopback
// that verifies each signature and validates each body with the published schema.

const SECRET = 'receipts-webhook-secret';
const ALICE = 'alice@example.com';
const BOB = '+14155550102';

async function receiver() {
  const sends: WebhookSendEvent[] = [];
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const headers = { signature: req.headers['x-imsg-hub-signature'] as string, timestamp: req.headers['x-imsg-hub-timestamp'] as string };
      if (!verifyWebhook(SECRET, headers, body).ok) return void res.writeHead(401).end();
      const batch = WebhookBatchSchema.parse(JSON.parse(body));
      bodies.push(batch);
      for (const e of batch.events) if (e.type !== 'message') sends.push(e);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    sends,
    bodies,
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('receipts to watches and webhooks through real processes', () => {
  it('a send to another of our accounts goes sent → delivered → read at a watching client and at a webhook subscribed to send events', async () => {
    await using tmp = tempDir('receipts-webhook-');
    await using rx = await receiver();
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: [ALICE], via: 'local', simArgs: ['--receipt-ms', '30'] },
        { name: 'bob', handles: [BOB], via: 'local', simArgs: ['--receipt-ms', '30'] },
      ],
      hubConfig: { webhooks: [{ id: 'receipts', url: rx.url, secret: SECRET, events: ['send.*'], accounts: ['alice'] }] },
    });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    const statuses: SendOutcome[] = [];
    client.on('send.status', (o: SendOutcome) => statuses.push(o));
    await client.watch({ include_sends: true }, () => undefined);

    const sent = await client.call('send', { target: `alice/${BOB}`, text: 'read me', idempotency_key: 'rw-1', wait_ms: 15_000 });
    expect(sent).toMatchObject({ state: 'sent', account: 'alice' });
    await client.call('send.status', { idempotency_key: 'rw-1', wait_ms: 20_000, wait_for: 'delivered' });
    const bobRead = () => {
      const db = new Database(fleet.world.info('bob').dbPath, { readonly: true });
      try {
        return (db.prepare('SELECT is_read FROM message WHERE guid = ?').get(sent.result!.guid) as { is_read: number }).is_read;
      } finally {
        db.close();
      }
    };
    expect(bobRead()).toBe(0);
    const chat = await waitFor(async () => (await client.call('chats.list', {})).chats.find((c) => c.account === 'bob' && c.identifier === ALICE), 20_000);
    await client.call('imsg.call', { account: 'bob', method: 'read', params: { chat_id: chat.id } });
    expect(bobRead()).toBe(1);

    // The webhook: each step once, in order, with the send's outcome and times.
    await waitFor(() => rx.sends.some((e) => e.type === 'send.read'), 20_000);
    const mine = rx.sends.filter((e) => e.send.idempotency_key === 'rw-1');
    expect(mine.map((e) => e.type)).toEqual(['send.sent', 'send.delivered', 'send.read']);
    expect(mine.every((e, i) => i === 0 || e.id > mine[i - 1]!.id)).toBe(true);
    expect(mine[2]).toMatchObject({
      method: 'send',
      send: {
        account: 'alice',
        state: 'sent',
        result: { guid: sent.result!.guid, delivery: 'read', delivered_at: expect.stringMatching(/Z$/), read_at: expect.stringMatching(/Z$/) },
      },
    });
    // Nothing of bob's (the webhook follows alice), and no message events (it did not ask for them).
    expect(rx.sends.every((e) => e.send.account === 'alice')).toBe(true);

    // The watching client saw the same steps.
    await waitFor(() => statuses.some((o) => o.idempotency_key === 'rw-1' && o.result?.['delivery'] === 'read'), 10_000);
    const steps = statuses.filter((o) => o.idempotency_key === 'rw-1').map((o) => (o.state === 'sent' ? (o.result?.['delivery'] ?? 'sent') : o.state));
    expect(steps.filter((s, i) => s !== steps[i - 1])).toEqual(['queued', 'dispatched', 'sent', 'delivered', 'read']);
  }, 60_000);
});
