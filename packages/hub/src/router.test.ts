import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubError, type Row } from '@imsg-hub/hub-protocol';
import type { ImsgMessage } from '@imsg-hub/imsg-protocol';
import type { TokenRecord } from '@imsg-hub/store';
import { SqliteStore } from '@imsg-hub/store/open';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MessageModel } from './model/message-model.js';
import { Router } from './router.js';

let dir: string;
let store: SqliteStore;
let model: MessageModel;
const allClient: TokenRecord = { id: 'c1', secretHash: Buffer.alloc(32), role: 'client', accounts: '*', label: 'bot', createdAt: '', revokedAt: undefined };
const bobOnly: TokenRecord = { ...allClient, id: 'c2', label: 'bob-app', accounts: ['bob'] };

function row(rowid: number, over: Partial<ImsgMessage>): Row {
  return {
    rowid,
    message: {
      id: rowid,
      chat_id: 1,
      guid: `G${rowid}-${Math.random()}`,
      sender: '+14155550001',
      is_from_me: false,
      text: 't',
      created_at: '2026-01-01T00:00:00.000Z',
      attachments: [],
      reactions: [],
      chat_identifier: '+14155550001',
      chat_guid: 'iMessage;-;+14155550001',
      chat_name: '',
      participants: ['+14155550001'],
      is_group: false,
      ...over,
    },
  };
}

function refusal(fn: () => unknown): HubError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HubError) return err;
    throw err;
  }
  throw new Error('expected a refusal');
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'router-'));
  store = new SqliteStore(join(dir, 'hub.db'));
  model = await MessageModel.load(store);
  for (const a of ['alice', 'bob', 'work']) await model.ensureAccount(a);
  // alice talked to +14155550001; bob is in group chat77 with work.
  const group = {
    chat_guid: 'iMessage;+;chat77',
    chat_identifier: 'chat77',
    chat_name: 'Family',
    is_group: true,
    sender: '+14155550009',
    participants: ['+14155550009'],
  };
  await model.commit([
    { account: 'alice', epoch: 1, rows: [row(1, {})] },
    { account: 'bob', epoch: 1, rows: [row(1, { ...group, guid: 'SHARED', chat_id: 4 })] },
    { account: 'work', epoch: 1, rows: [row(1, { ...group, guid: 'SHARED', chat_id: 9 })] },
  ]);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('Router precedence', () => {
  it('explicit account wins, by flag or by prefix', () => {
    const r = new Router(model, [], 'work');
    expect(r.resolve({ target: '+1 415 555 0001', account: 'bob', client: allClient })).toMatchObject({
      account: 'bob',
      route: 'explicit',
      params: { to: '+14155550001' },
    });
    expect(r.resolve({ target: 'bob/+14155550001', client: allClient })).toMatchObject({ account: 'bob', route: 'explicit' });
  });

  it('a hub chat id sends through its owner, groups by chat guid', () => {
    const r = new Router(model, [], undefined);
    const bobChat = model.chats({ scope: undefined, merged: false, limit: 10, account: 'bob' })[0]!;
    const route = r.resolve({ target: `chat_id:${bobChat.id}`, client: allClient });
    expect(route).toMatchObject({ account: 'bob', route: 'chat', params: { chat_guid: 'iMessage;+;chat77' } });
  });

  it('rules beat affinity, affinity beats the default', () => {
    const rules = [
      { match: { handle: '*@work.example' }, account: 'work' },
      { match: { client: 'bob-app' }, account: 'bob' },
    ];
    const r = new Router(model, rules, 'bob');
    expect(r.resolve({ target: 'Boss@Work.example', client: allClient })).toMatchObject({
      account: 'work',
      route: 'rule',
      params: { to: 'boss@work.example' },
    });
    expect(r.resolve({ target: '+14155550001', client: allClient })).toMatchObject({ account: 'alice', route: 'affinity' });
    expect(r.resolve({ target: '+14155550123', client: allClient })).toMatchObject({ account: 'bob', route: 'default' });
    expect(r.resolve({ target: '+14155550001', client: bobOnly })).toMatchObject({ account: 'bob', route: 'rule' });
  });

  it('refuses with a reason: no route, scope, bad target', () => {
    const r = new Router(model, [], undefined);
    const noRoute = refusal(() => r.resolve({ target: '+14155550123', client: allClient }));
    expect(noRoute.hubCode).toBe('NO_ROUTE');
    expect(noRoute.message).toContain('candidates: alice, bob, work');
    const scope = refusal(() => r.resolve({ target: '+14155550001', account: 'alice', client: bobOnly }));
    expect(scope.hubCode).toBe('TOKEN_SCOPE');
    expect(refusal(() => r.resolve({ target: 'chat_id:abc', client: allClient })).hubCode).toBe('BAD_TARGET');
    expect(refusal(() => r.resolve({ target: 'not a handle!', client: allClient })).hubCode).toBe('BAD_TARGET');
    const aliceChat = model.chats({ scope: undefined, merged: false, limit: 10, account: 'alice' })[0]!;
    expect(refusal(() => r.resolve({ target: `chat_id:${aliceChat.id}`, client: bobOnly })).hubCode).toBe('NO_ROUTE');
  });

  it('an opt-in prefer-imessage rule picks the first account that reaches the handle, asking imsg once per TTL', async () => {
    const asked: string[][] = [];
    const reaches: Record<string, boolean | undefined> = { alice: false, bob: true, work: undefined };
    const reach = async (accounts: readonly string[]) => {
      asked.push([...accounts]);
      return accounts.map((account) => ({ account, ...(reaches[account] === undefined ? {} : { available: reaches[account] }) }));
    };
    const rules = [
      { match: { handle: '*@work.example' }, account: 'work' },
      { match: { handle: '+1415*' }, prefer: 'imessage' as const },
    ];
    const r = new Router(model, rules, 'work', reach);
    // alice talked to it (affinity) but cannot reach it by iMessage: bob can.
    expect(await r.route({ target: '+14155550001', client: allClient })).toMatchObject({ account: 'bob', route: 'reachable', params: { to: '+14155550001' } });
    expect(asked).toEqual([['alice', 'bob', 'work']]);
    expect(await r.route({ target: '+14155550001', client: allClient })).toMatchObject({ account: 'bob', route: 'reachable' });
    expect(asked).toHaveLength(2); // work could not tell: asked again; alice and bob answered and are remembered
    expect(asked[1]).toEqual(['work']);
    // An earlier fixed rule, a named account, a chat target, or a handle the rule does not match: as before.
    expect(await r.route({ target: 'boss@work.example', client: allClient })).toMatchObject({ account: 'work', route: 'rule' });
    expect(await r.route({ target: '+14155550001', account: 'alice', client: allClient })).toMatchObject({ account: 'alice', route: 'explicit' });
    expect(await r.route({ target: '+12125550001', client: allClient })).toMatchObject({ account: 'work', route: 'default' });
    // Within the token's scope only; nobody in it reaches the handle: the rest of the precedence (here: none).
    reaches['bob'] = false;
    const scoped = new Router(model, rules, undefined, reach);
    await expect(scoped.route({ target: '+14155550001', client: bobOnly })).rejects.toMatchObject({ hubCode: 'NO_ROUTE' });
    expect(asked[asked.length - 1]).toEqual(['bob']);
    // Without a reach check (or without prefer rules) route is resolve.
    expect(await new Router(model, rules, 'work').route({ target: '+14155550001', client: allClient })).toMatchObject({ account: 'alice', route: 'affinity' });
  });
});
