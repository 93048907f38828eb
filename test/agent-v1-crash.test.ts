import { join } from 'node:path';
import Database from 'better-sqlite3';
import { attemptId } from '@imsg-hub/agent';
import { HubClient } from '@imsg-hub/hub-client';
import { HubError, type SendOutcome } from '@imsg-hub/hub-protocol';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet, type Fleet } from './support/fleet.js';

// Issue 12 "Done when" 3: kill -9 of agents and the hub during 1,000 sends. On imsg 0.15 every
// send is tracked (its guid a UUIDv5 of key and account): exactly one outgoing row per key, every
// key sent, none left in doubt. On imsg 0.9.0 nothing can prove a send that was in imsg's hands
// at a crash: such keys stay in doubt, and no key is ever sent twice.

const SENDS = 1000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Key {
  key: string;
  account: 'alice' | 'bob';
  handle: string;
  text: string;
}

/** 1,000 keys over 37 chats per account, or (`ownChat`) each to a handle of its own. */
function keys(prefix: string, ownChat = false): Key[] {
  return Array.from({ length: SENDS }, (_, i) => ({
    key: `${prefix}-${i}`,
    account: i % 2 === 0 ? 'alice' : 'bob',
    handle: ownChat ? `+1415556${String(i).padStart(4, '0')}` : `+1415555${String(3000 + (i % 37)).padStart(4, '0')}`,
    text: `${prefix} message ${i}`,
  }));
}

async function crashFleet(dir: string, imsgVersion: '0.15.10' | '0.9.0'): Promise<Fleet> {
  const fleet = await startFleet({
    dir,
    accounts: [
      { name: 'alice', handles: ['alice@example.com'], via: 'local', imsgVersion },
      { name: 'bob', handles: ['bob@example.com'], via: 'local', imsgVersion },
    ],
    hubConfig: { send: { rate_per_minute: 1_000_000, burst: 100_000, queue_ttl_s: 3600 }, ping_interval_ms: 1000 },
    agentConfig: { hub: { reconnect: { initial_ms: 100, max_ms: 800 } }, restart_backoff: { initial_ms: 100, max_ms: 800 } },
  });
  // Every target has written first, so its chat exists (imsg 0.15 tracks sends into existing chats).
  for (const account of ['alice', 'bob']) {
    for (let i = 0; i < 37; i++) fleet.world.inject({ account, from: `+1415555${String(3000 + i).padStart(4, '0')}`, text: `hi ${account}` });
  }
  return fleet;
}

/** kill -9 of each agent twice and the hub twice, at random moments, while sends run. */
async function chaos(fleet: Fleet, progress: () => number): Promise<string[]> {
  const log: string[] = [];
  for (const what of ['agent-alice', 'hub', 'agent-bob', 'agent-alice', 'hub', 'agent-bob']) {
    await sleep(300 + Math.random() * 900);
    if (what === 'hub') {
      await fleet.hub.kill('SIGKILL');
      await sleep(100 + Math.random() * 300);
      await fleet.hub.start();
    } else {
      const agent = fleet.agents.get(what.split('-')[1]!)!;
      await agent.kill('SIGKILL');
      await sleep(100 + Math.random() * 300);
      agent.start();
    }
    log.push(`${what} killed at ${progress()}`);
  }
  return log;
}

/** Outgoing rows per text in an account's chat.db. */
function outgoingCounts(fleet: Fleet, account: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const row of fleet.world.account(account).outgoingRows()) counts.set(row.text, (counts.get(row.text) ?? 0) + 1);
  return counts;
}

interface LedgerRow {
  /** The key the hub dispatched (`<token id>:<client key>`: the hub scopes keys per token). */
  key: string;
  state: string;
  attempt_id: string | null;
  result: string | null;
}

/** The agent's ledger, by the client's idempotency key, read from its state file. */
function ledger(fleet: Fleet, account: string): Map<string, LedgerRow> {
  const db = new Database(join(fleet.agents.get(account)!.stateDir, 'agent.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT key, state, attempt_id, result FROM send_ledger').all() as LedgerRow[];
    return new Map(rows.map((r) => [r.key.slice(r.key.indexOf(':') + 1), r]));
  } finally {
    db.close();
  }
}

/** 50 client workers, each submitting its keys with the same idempotency key until `done` says so. */
async function submitAll(client: HubClient, list: Key[], done: (o: SendOutcome) => boolean): Promise<Map<string, SendOutcome>> {
  const results = new Map<string, SendOutcome>();
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const k = list[next++]!;
      for (;;) {
        try {
          const o = await client.call('send', { target: `${k.account}/${k.handle}`, text: k.text, idempotency_key: k.key, wait_ms: 3000 }, 10_000);
          if (done(o)) {
            results.set(k.key, o);
            break;
          }
        } catch (err) {
          const hub = HubError.from(err);
          if (hub && hub.hubCode !== 'AGENT_OFFLINE') throw err;
        }
        await sleep(100);
      }
    }
  };
  await Promise.all(Array.from({ length: 50 }, worker));
  return results;
}

describe('kill -9 during 1,000 sends', () => {
  it('imsg 0.15: every send tracked, exactly one row per key, every key sent, none in doubt', async () => {
    await using tmp = tempDir('v1-crash-');
    await using fleet = await crashFleet(tmp.path, '0.15.10');
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    const list = keys('tracked');
    let results = new Map<string, SendOutcome>();
    const [log] = await Promise.all([
      chaos(fleet, () => results.size),
      submitAll(client, list, (o) => ['sent', 'failed', 'expired'].includes(o.state)).then((r) => (results = r)),
    ]);
    expect([...results.values()].filter((o) => o.state !== 'sent').slice(0, 3)).toEqual([]);
    await waitFor(() => outgoingCounts(fleet, 'alice').size + outgoingCounts(fleet, 'bob').size >= SENDS, 10_000);
    const counts = { alice: outgoingCounts(fleet, 'alice'), bob: outgoingCounts(fleet, 'bob') };
    const wrong = list.filter((k) => counts[k.account].get(k.text) !== 1).map((k) => `${k.key}=${counts[k.account].get(k.text) ?? 0}`);
    expect(wrong, log.join('; ')).toEqual([]);
    // Every key went through send.tracked: the message guid is the one chosen before dispatch.
    const ledgers = { alice: ledger(fleet, 'alice'), bob: ledger(fleet, 'bob') };
    const untracked = list.filter((k) => {
      const row = ledgers[k.account].get(k.key);
      return row?.state !== 'sent' || row.attempt_id !== attemptId(row.key, k.account) || results.get(k.key)!.result?.guid !== row.attempt_id;
    });
    expect(untracked.map((k) => `${k.key}:${JSON.stringify(ledgers[k.account].get(k.key))}`).slice(0, 3)).toEqual([]);
  }, 240_000);

  it('imsg 0.9.0: no key is ever sent twice; a send in imsg’s hands at a crash stays in doubt', async () => {
    await using tmp = tempDir('v09-crash-');
    await using fleet = await crashFleet(tmp.path, '0.9.0');
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    // Each key to its own chat: the hub keeps a chat's later sends behind one in doubt (per-chat order).
    const list = keys('legacy', true);
    let accepted = new Map<string, SendOutcome>();
    const [log] = await Promise.all([chaos(fleet, () => accepted.size), submitAll(client, list, () => true).then((r) => (accepted = r))]);
    // Settle: every key ends sent, or in doubt at the hub and in its agent's ledger (never re-sent; the operator resolves it).
    const final = await waitFor(
      async () => {
        const ledgers = { alice: ledger(fleet, 'alice'), bob: ledger(fleet, 'bob') };
        const outcomes = await Promise.all(list.map((k) => client.call('send.status', { idempotency_key: k.key })));
        const open = outcomes.filter(
          (o, i) => o.state !== 'sent' && (o.state !== 'in_doubt' || ledgers[list[i]!.account].get(list[i]!.key)?.state !== 'in_doubt'),
        );
        return open.length === 0 ? { outcomes, ledgers } : undefined;
      },
      60_000,
      500,
    );
    const counts = { alice: outgoingCounts(fleet, 'alice'), bob: outgoingCounts(fleet, 'bob') };
    const twice = list.filter((k) => (counts[k.account].get(k.text) ?? 0) > 1).map((k) => k.key);
    expect(twice, log.join('; ')).toEqual([]);
    const sent = final.outcomes.filter((o) => o.state === 'sent');
    for (const [i, o] of final.outcomes.entries()) if (o.state === 'sent') expect(counts[list[i]!.account].get(list[i]!.text)).toBe(1);
    const inDoubt = list.filter((k) => final.ledgers[k.account].get(k.key)?.state === 'in_doubt');
    expect(sent.length + inDoubt.length).toBe(SENDS);
    expect(inDoubt.length).toBeLessThan(50); // only what imsg had at the moment of a kill
  }, 240_000);
});
