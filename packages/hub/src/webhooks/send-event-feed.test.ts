import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutboxInsert } from '@imsg-hub/store';
import { SqliteStore } from '@imsg-hub/store/open';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseHubConfig } from '../config.js';
import { MessageModel } from '../model/message-model.js';
import { sendTypesOf } from './webhook-set.js';
import { SendEventFeed } from './send-event-feed.js';

let dir: string;
let store: SqliteStore;
let model: MessageModel;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'send-feed-'));
  store = new SqliteStore(join(dir, 'hub.db'));
  model = await MessageModel.load(store);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const send = (key: string, account: string, chatId?: number): OutboxInsert => ({
  key,
  account,
  method: 'send',
  target: '+15550001',
  route: 'explicit',
  chatId,
  params: { to: '+15550001', text: 'hi' },
  file: undefined,
  requestHash: 'h',
  client: 'c1',
  expiresAt: undefined,
});

const feedFor = (webhook: Record<string, unknown>) => {
  const config = parseHubConfig({ webhooks: [{ id: 'w', url: 'http://127.0.0.1:9/h', secret: 'x'.repeat(16), ...webhook }] }).webhooks[0]!;
  return new SendEventFeed(config, store, model, sendTypesOf(config));
};

describe('SendEventFeed', () => {
  it('gives the subscribed send event types of its accounts and chats, with the send outcome, skipping what filters drop', async () => {
    const all = feedFor({ events: ['send.*'] });
    expect(await all.start()).toBe(0);
    await store.outboxInsert(send('c1:k1', 'alice', 7));
    await store.outboxInsert(send('c1:k2', 'bob'));
    await store.outboxUpdate('c1:k1', { state: 'dispatched', attempts: 1 });
    await store.outboxUpdate('c1:k1', { state: 'sent', result: { guid: 'G' } });
    await store.outboxUpdate('c1:k2', { state: 'failed', error: { code: -32014, message: 'no' } });
    await store.outboxUpdate('c1:k1', { result: { guid: 'G', delivery: 'delivered', delivered_at: 'T1' } });
    await store.outboxUpdate('c1:k1', { result: { guid: 'G', delivery: 'read', read_at: 'T2' } });

    const page = await all.page(0, 50);
    expect(page.events.map((e) => [e.type, e.send.idempotency_key, e.send.account])).toEqual([
      ['send.sent', 'k1', 'alice'],
      ['send.failed', 'k2', 'bob'],
      ['send.delivered', 'k1', 'alice'],
      ['send.read', 'k1', 'alice'],
    ]);
    expect(page.events[3]).toMatchObject({ method: 'send', send: { state: 'sent', result: { delivery: 'read', read_at: 'T2' } } });
    expect(page.last).toBe(page.events[3]!.id);

    const readOnly = feedFor({ events: ['message', 'send.read'], accounts: ['alice'] });
    expect((await readOnly.page(0, 50)).events.map((e) => e.type)).toEqual(['send.read']);
    // A page the filters empty still says how far it read, so the cursor moves past it.
    const none = await feedFor({ events: ['send.expired'] }).page(0, 2);
    expect(none).toEqual({ events: [], last: page.events[1]!.id });
    expect((await feedFor({ events: ['send.*'], chats: [7] }).page(0, 50)).events.map((e) => e.send.idempotency_key)).toEqual(['k1', 'k1', 'k1']);
    expect(await feedFor({ events: ['send.*'] }).start()).toBe(page.last);
  });
});
