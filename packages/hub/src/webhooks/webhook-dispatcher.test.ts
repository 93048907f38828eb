import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row } from '@imsg-hub/hub-protocol';
import { SqliteStore } from '@imsg-hub/store/open';
import { waitFor } from '@imsg-hub/testkit';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseHubConfig } from '../config.js';
import { MessageModel } from '../model/message-model.js';
import { WebhookDispatcher, type WebhookDelivery } from './webhook-dispatcher.js';

let dir: string;
let store: SqliteStore;
let model: MessageModel;
let server: Server;
let url: string;
const got: WebhookDelivery[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'webhook-'));
  store = new SqliteStore(join(dir, 'hub.db'));
  model = await MessageModel.load(store);
  for (const a of ['alice', 'bob']) await model.ensureAccount(a);
  got.length = 0;
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      got.push(JSON.parse(body) as WebhookDelivery);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterEach(async () => {
  await new Promise((r) => server.close(r));
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const row = (rowid: number, chat: string, text: string): Row => ({
  rowid,
  message: {
    id: rowid,
    chat_id: rowid,
    guid: `${chat}-${rowid}-${text}`,
    sender: '+15550001',
    is_from_me: false,
    text,
    created_at: '2026-01-01T00:00:00.000Z',
    attachments: [],
    reactions: [],
    chat_identifier: chat,
    chat_guid: `iMessage;-;${chat}`,
    chat_name: '',
    participants: [chat],
    is_group: false,
  },
});

describe('WebhookDispatcher', () => {
  it('delivers only the accounts and chats it is configured for, from `since`, in order', async () => {
    await model.commit([
      { account: 'alice', epoch: 1, rows: [row(1, '+15550001', 'a1')] },
      { account: 'bob', epoch: 1, rows: [row(1, '+15550002', 'b1'), row(2, '+15550003', 'b2')] },
    ]);
    const bobChat = model.chats({ scope: undefined, merged: false, limit: 10, account: 'bob' }).find((c) => c.identifier === '+15550003')!.id;
    // Many messages the chat filter drops, then one it keeps.
    await model.commit([{ account: 'bob', epoch: 1, rows: Array.from({ length: 120 }, (_, i) => row(3 + i, '+15550002', `noise ${i}`)) }]);
    await model.commit([{ account: 'bob', epoch: 1, rows: [row(200, '+15550003', 'b3')] }]);
    const config = parseHubConfig({ webhooks: [{ id: 'w', url, secret: 'x'.repeat(16), accounts: ['bob'], chats: [bobChat], since: 0, batch: 10 }] })
      .webhooks[0]!;
    const w = new WebhookDispatcher(config, { store, model, log: pino({ level: 'silent' }) });
    w.poke();
    await waitFor(() => got.flatMap((d) => d.events).length >= 2, 5000);
    expect(got.flatMap((d) => d.events.map((e) => e.message.text))).toEqual(['b2', 'b3']);
    expect(await store.webhookCursor('w')).toBe(w.cursor);
    await w.close();
  });

  it('of two hubs on one store, one delivers a webhook (each event once); the other takes over when it stops', async () => {
    const config = parseHubConfig({ webhooks: [{ id: 'w', url, secret: 'x'.repeat(16), since: 0, batch: 5 }] }).webhooks[0]!;
    const log = pino({ level: 'silent' });
    const a = new WebhookDispatcher(config, { store, model, log, holder: 'hub-a' });
    const b = new WebhookDispatcher(config, { store, model, log, holder: 'hub-b' });
    let n = 0;
    const commit = async (count: number) => {
      const rows = Array.from({ length: count }, () => ++n).map((i) => row(i, '+15550001', `m${i}`));
      await model.commit([{ account: 'alice', epoch: 1, rows }]);
      a.poke(); // every hub hears every commit
      b.poke();
    };
    await commit(12);
    await waitFor(() => got.flatMap((d) => d.events).length >= 12, 5000);
    expect([a.holding, b.holding].filter(Boolean)).toHaveLength(1);
    const [holder, other] = a.holding ? [a, b] : [b, a];
    await holder.close(); // gives the lease up
    await commit(7);
    await waitFor(() => got.flatMap((d) => d.events).length >= 19, 5000);
    expect(other.holding).toBe(true);
    const texts = got.flatMap((d) => d.events.map((e) => e.message.text));
    expect(texts).toEqual(Array.from({ length: 19 }, (_, i) => `m${i + 1}`));
    await other.close();
  });

  it("takes over a dead hub's webhook once its lease (the webhook's lease_ms) lapses", async () => {
    const config = parseHubConfig({ webhooks: [{ id: 'w', url, secret: 'x'.repeat(16), since: 0, lease_ms: 1000 }] }).webhooks[0]!;
    // A hub that renewed its lease and then died: it never delivers and never gives the lease up.
    const diedAt = Date.now();
    expect(await store.leaseWebhook('w', 'dead-hub', config.lease_ms, diedAt)).toBe(true);
    const b = new WebhookDispatcher(config, { store, model, log: pino({ level: 'silent' }), holder: 'hub-b' });
    await model.commit([{ account: 'alice', epoch: 1, rows: [row(1, '+15550001', 'after the death')] }]);
    b.poke();
    await waitFor(() => got.length > 0, 5000);
    expect(Date.now() - diedAt).toBeGreaterThanOrEqual(1000);
    expect(b.holding).toBe(true);
    expect(got.flatMap((d) => d.events.map((e) => e.message.text))).toEqual(['after the death']);
    await b.close();
  });
});
