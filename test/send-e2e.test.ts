import Database from 'better-sqlite3';
import { HubClient } from '@imsg-hub/hub-client';
import { HubError, type SendOutcome } from '@imsg-hub/hub-protocol';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from './support/fleet.js';

// Issue 4 "Done when" 1: every route leaves through the right account (read back from the
// simulated chat.dbs), every refusal has its message, idempotency keys never send twice.
let tmp: Awaited<ReturnType<typeof tempDir>>;
let fleet: Fleet;
let client: HubClient;

const outgoing = (account: string, text: string) =>
  fleet.world
    .account(account)
    .outgoingRows()
    .filter((r) => r.text === text);
const refusal = async (p: Promise<unknown>): Promise<HubError> => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  const hub = HubError.from(err);
  if (!hub) throw new Error(`expected a hub refusal, got ${String(err)}`);
  return hub;
};

beforeAll(async () => {
  tmp = tempDir('send-e2e-');
  fleet = await startFleet({
    dir: tmp.path,
    accounts: [
      { name: 'alice', handles: ['alice@example.com', '+14155550101'], via: 'local' },
      { name: 'bob', handles: ['bob@example.com'], via: 'local' },
      { name: 'work', handles: ['work@corp.example'], via: 'local' },
    ],
    hubConfig: {
      routes: [{ match: { handle: '*@corp.example' }, account: 'work' }],
      default_account: 'bob',
      send: { rate_per_minute: 1, burst: 50, wait_ms: 15_000 },
    },
  });
  client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken });
  // History that routing learns from: alice and bob each talked to someone.
  fleet.world.inject({ account: 'alice', from: '+14155550933', text: 'hi alice' });
  fleet.world.inject({ account: 'bob', from: '+14155550911', text: 'hi bob' });
  await waitFor(async () => (await client.call('chats.list', {})).chats.length >= 2, 20_000);
}, 60_000);

afterAll(async () => {
  await client?.close();
  await fleet?.[Symbol.asyncDispose]();
  await tmp?.[Symbol.asyncDispose]();
});

describe('sending: the right identity per route', () => {
  it('by hub chat id: through the chat’s owner', async () => {
    const chat = (await client.call('chats.list', {})).chats.find((c) => c.identifier === '+14155550911')!;
    const o = await client.call('send', { target: `chat_id:${chat.id}`, text: 'by chat id' });
    expect(o).toMatchObject({ state: 'sent', account: 'bob', route: 'chat' });
    expect(outgoing('bob', 'by chat id')).toHaveLength(1);
    expect(outgoing('alice', 'by chat id')).toHaveLength(0);
    // imsg's guid comes back, and the hub message of the echo row gets linked to the send.
    expect(o.result?.guid).toBe(outgoing('bob', 'by chat id')[0]!.guid);
    const linked = await waitFor(async () => {
      const s = await client.call('send.status', { idempotency_key: o.idempotency_key });
      return s.message_id !== undefined && s;
    }, 10_000);
    const history = await client.call('messages.history', { chat_id: chat.id, limit: 5 });
    expect(history.messages.find((m) => m.id === linked.message_id)).toMatchObject({ text: 'by chat id', send_key: o.idempotency_key, is_from_me: true });
  });

  it('by handle with --as (the CLI), by route rule, by affinity, by default', async () => {
    const cli = await fleet.hub.cli(['send', '+1 415 555 0922', '--as', 'work', '--text', 'explicit as work', '--token', fleet.clientToken, '--json']);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ state: 'sent', account: 'work', route: 'explicit' });
    expect(outgoing('work', 'explicit as work').map((r) => r.handle)).toEqual(['+14155550922']);

    expect(await client.call('send', { target: 'Boss@Corp.example', text: 'by rule' })).toMatchObject({ account: 'work', route: 'rule', state: 'sent' });
    expect(outgoing('work', 'by rule').map((r) => r.handle)).toEqual(['boss@corp.example']);

    expect(await client.call('send', { target: '(415) 555-0933', text: 'by affinity' })).toMatchObject({ account: 'alice', route: 'affinity', state: 'sent' });
    expect(outgoing('alice', 'by affinity').map((r) => r.handle)).toEqual(['+14155550933']);

    expect(await client.call('send', { target: '+14155550944', text: 'by default' })).toMatchObject({ account: 'bob', route: 'default', state: 'sent' });
    expect(outgoing('bob', 'by default')).toHaveLength(1);
  });

  it('a send to another of our accounts lands in its chat.db with the same guid', async () => {
    const o = await client.call('send', { target: 'alice/bob@example.com', text: 'alice to bob' });
    expect(o).toMatchObject({ state: 'sent', account: 'alice' });
    const got = fleet.world
      .account('bob')
      .incomingRows()
      .find((r) => r.text === 'alice to bob');
    expect(got?.guid).toBe(o.result?.guid);
  });

  it('keeps per-chat order when many sends are in flight', async () => {
    const texts = Array.from({ length: 20 }, (_, i) => `ordered ${i}`);
    const others = Array.from({ length: 10 }, (_, i) => `elsewhere ${i}`);
    const calls = texts.map((text) => client.call('send', { target: 'alice/+14155550988', text, wait_ms: 20_000 }));
    const parallel = others.map((text, i) => client.call('send', { target: `alice/+1415555097${i}`, text, wait_ms: 20_000 }));
    await Promise.all([...calls, ...parallel]);
    const rows = fleet.world
      .account('alice')
      .outgoingRows()
      .filter((r) => r.text.startsWith('ordered '));
    expect(rows.map((r) => r.text)).toEqual(texts);
  });

  it('the same idempotency key twice returns the first result and never sends twice', async () => {
    await client.call('send', { target: 'bob/+14155550955', text: 'once only', idempotency_key: 'key-once' });
    // The outcome gains message_id when the echo row is stored (a moment after imsg answers): once
    // it has, a second send under the key answers exactly that first send's outcome.
    const a = await waitFor(async () => {
      const s = await client.call('send.status', { idempotency_key: 'key-once' });
      return s.message_id !== undefined && s;
    }, 10_000);
    const b = await client.call('send', { target: 'bob/+14155550955', text: 'once only', idempotency_key: 'key-once' });
    expect(b).toEqual(a);
    expect(outgoing('bob', 'once only')).toHaveLength(1);
    const conflict = await refusal(client.call('send', { target: 'bob/+14155550955', text: 'different', idempotency_key: 'key-once' }));
    expect(conflict.hubCode).toBe('IDEMPOTENCY_CONFLICT');
    expect(conflict.message).toContain('use a new key');
  });
});

describe('sending: refusals say why', () => {
  it('scope: a token limited to alice cannot send as bob, and routes only among its accounts', async () => {
    const token = await fleet.hub.token('client', ['alice']);
    await using scoped = await HubClient.connect({ url: fleet.hub.url, token });
    const scope = await refusal(scoped.call('send', { target: '+14155550966', account: 'bob', text: 'x' }));
    expect(scope.hubCode).toBe('TOKEN_SCOPE');
    expect(scope.message).toContain('may not send as bob');
    const noRoute = await refusal(scoped.call('send', { target: '+14155550966', text: 'x' }));
    expect(noRoute.hubCode).toBe('NO_ROUTE');
    expect(noRoute.message).toContain('candidates: alice');
    expect(outgoing('bob', 'x')).toHaveLength(0);
  });

  it('no route: an unknown chat, an unknown account', async () => {
    expect((await refusal(client.call('send', { target: 'chat_guid:iMessage;+;chat000', text: 'x' }))).message).toContain('no chat matches');
    expect((await refusal(client.call('send', { target: 'nobody/+14155550966', text: 'x' }))).message).toContain('unknown account "nobody"');
  });

  it('bad target: a malformed chat id or handle', async () => {
    const a = await refusal(client.call('send', { target: 'chat_id:abc', text: 'x' }));
    expect(a).toMatchObject({ hubCode: 'BAD_TARGET' });
    expect(a.message).toContain('invalid chat_id "abc"');
    const b = await refusal(client.call('send', { target: 'not a handle!', text: 'x' }));
    expect(b.message).toContain('expected a phone number or an email address');
    const cli = await fleet.hub.cli(['send', 'chat_id:0', '--text', 'x', '--token', fleet.clientToken]);
    expect(cli.code).toBe(1);
    expect(cli.stderr).toContain('BAD_TARGET');
  });

  it('offline agent: fails at once with ttl 0, expires after its ttl, or waits and then goes out', async () => {
    const work = fleet.agents.get('work')!;
    await work.kill();
    await waitFor(async () => !(await client.call('accounts.list', {})).accounts.find((a) => a.name === 'work')!.agent.connected, 10_000);
    const now = await refusal(client.call('send', { target: 'work/+14155550977', text: 'no wait', queue_ttl_s: 0 }));
    expect(now.hubCode).toBe('AGENT_OFFLINE');
    expect(now.message).toContain('start its imsg-agent');
    const expiring = await client.call('send', { target: 'work/+14155550977', text: 'expires', queue_ttl_s: 1, wait_ms: 4000 });
    expect(expiring).toMatchObject({ state: 'expired', error: { data: { code: 'SEND_EXPIRED' } } });
    const queued = await client.call('send', { target: 'work/+14155550977', text: 'waits', queue_ttl_s: 600, wait_ms: 0 });
    expect(queued.state).toBe('queued');
    work.start();
    const done = await waitFor(async () => {
      const s: SendOutcome = await client.call('send.status', { idempotency_key: queued.idempotency_key });
      return s.state === 'sent' && s;
    }, 20_000);
    expect(done.account).toBe('work');
    expect(outgoing('work', 'waits')).toHaveLength(1);
    expect(outgoing('work', 'expires')).toHaveLength(0);
  }, 60_000);

  it('imsg errors come back verbatim', async () => {
    // A group the hub knows, deleted on the Mac since: imsg's own failure, code and data intact.
    fleet.world.inject({ from: '+14155550911', text: 'group', group: { name: 'Gone', members: ['alice@example.com', '+14155550911', '+14155550912'] } });
    const chat = await waitFor(async () => (await client.call('chats.list', {})).chats.find((c) => c.name === 'Gone'), 15_000);
    const db = new Database(fleet.world.info('alice').dbPath);
    db.prepare('DELETE FROM chat WHERE guid = ?').run(chat.guid);
    db.close();
    const o = await client.call('send', { target: `chat_id:${chat.id}`, text: 'into the void' });
    expect(o).toMatchObject({ state: 'failed', account: 'alice', error: { code: -32603, message: 'Internal error' } });
    expect(String(o.error?.data)).toMatch(/^AppleScript failed: /);
    expect(outgoing('alice', 'into the void')).toHaveLength(0);
  });

  it('rate limit: too many sends from one account are refused with retry-after', async () => {
    let refusedWith: HubError | undefined;
    for (let i = 0; i < 60 && !refusedWith; i++) {
      try {
        await client.call('send', { target: `work/+141555${String(50000 + i)}`, text: `burst ${i}` });
      } catch (err) {
        refusedWith = HubError.from(err);
      }
    }
    expect(refusedWith?.hubCode).toBe('RATE_LIMITED');
    expect(refusedWith?.message).toMatch(/rate limited: work is sending too fast, retry after \d+ s/);
    expect(refusedWith?.details['retry_after_s']).toBeGreaterThan(0);
  });
});
