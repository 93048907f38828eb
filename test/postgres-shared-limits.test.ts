import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebhookDelivery, verifyWebhook } from '@imsg-hub/hub';
import { HubClient } from '@imsg-hub/hub-client';
import { HubError } from '@imsg-hub/hub-protocol';
import { AgentProcess, exampleWorld, postgresAvailable, simSource, startHubProcess, startPostgres, tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';

const SECRET = 'webhook-secret-for-two-hubs';

/** A webhook receiver on loopback: counts every event id it is given, and how often. */
async function receiver() {
  const seen = new Map<number, number>();
  const guids = new Set<string>();
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const headers = { signature: req.headers['x-imsg-hub-signature'] as string, timestamp: req.headers['x-imsg-hub-timestamp'] as string };
      if (!verifyWebhook(SECRET, headers, body).ok) return void res.writeHead(401).end();
      for (const e of (JSON.parse(body) as WebhookDelivery).events) {
        seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
        guids.add(e.message.guid);
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    seen,
    guids,
    twice: () => [...seen].filter(([, n]) => n > 1).map(([id]) => id),
    [Symbol.asyncDispose]: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

// Issue 15, several hubs: what the hubs share besides rows. Two hubs on one PostgreSQL database,
// both configured with the same webhook and the same send rate. The webhook is delivered by one
// hub at a time (a lease in the store), so its receiver gets each event once, not once per hub,
// and keeps getting them as either hub stops; the per-account send bucket is one for the fleet.
describe.skipIf(!postgresAvailable() && !process.env['CI'])('two hubs share webhooks and send limits', () => {
  it('delivers each webhook event once across hubs, through a stop of either, and holds one send bucket per account', async () => {
    await using tmp = tempDir('shared-limits-');
    await using pg = await startPostgres();
    const url = await pg.createDatabase('fleet');
    await using rx = await receiver();
    const world = exampleWorld(tmp.join('world.json'), ['alice']);
    try {
      const config = {
        accounts: { alice: { handles: ['alice@example.com'] } },
        send: { rate_per_minute: 1, burst: 3, queue_ttl_s: 3600 },
        webhooks: [{ id: 'shared', url: rx.url, secret: SECRET, since: 0, batch: 7 }],
      };
      await using hubA = await startHubProcess({ dir: tmp.join('hub-a'), config, store: { url } });
      await using hubB = await startHubProcess({ dir: tmp.join('hub-b'), config, store: { url } });
      const clientToken = await hubA.token('client', '*');
      await using agent = new AgentProcess({
        dir: tmp.join('agent-alice'),
        hubUrl: [hubA.url, hubB.url],
        token: await hubA.token('agent', ['alice']),
        accounts: [{ name: 'alice', source: simSource(world.info('alice').dbPath) }],
        config: { debounce_ms: 20, hub: { reconnect: { initial_ms: 50, max_ms: 300 } } },
      });
      agent.start();

      // One bucket for alice across both hubs: burst 3, then RATE_LIMITED wherever the send lands.
      {
        await using onA = await HubClient.connect({ url: hubA.url, token: clientToken });
        await using onB = await HubClient.connect({ url: hubB.url, token: clientToken });
        const outcomes: string[] = [];
        for (let i = 0; i < 8; i++) {
          const client = i % 2 ? onB : onA;
          try {
            await client.call('send', { target: 'alice/+14155550100', text: `limited ${i}`, idempotency_key: `rl-${i}`, wait_ms: 0 });
            outcomes.push('accepted');
          } catch (err) {
            outcomes.push(HubError.from(err)?.hubCode ?? String(err));
          }
        }
        expect(
          outcomes.filter((o) => o === 'accepted'),
          outcomes.join(', '),
        ).toHaveLength(3);
        expect(outcomes.filter((o) => o === 'RATE_LIMITED')).toHaveLength(5);
      }

      const expected = new Set<string>();
      const wave = async (tag: string) => {
        for (let i = 0; i < 30; i++) expected.add(world.inject({ account: 'alice', from: `+1415555${2000 + (i % 9)}`, text: `${tag} ${i}` }).guid);
        await waitFor(() => [...expected].every((g) => rx.guids.has(g)), 30_000).catch(() => {
          throw new Error(
            `wave ${tag}: receiver has ${[...expected].filter((g) => rx.guids.has(g)).length}/${expected.size}\nA: ${hubA.stderr}\nB: ${hubB.stderr}`,
          );
        });
      };
      await wave('both up');
      await hubA.stop(); // gives its leases up; the agent moves to B
      await wave('A stopped');
      await hubA.start();
      await hubB.stop();
      await wave('B stopped');
      await hubB.start();
      await wave('both back');
      expect(rx.twice(), 'no event delivered twice').toEqual([]);
    } finally {
      world.close();
    }
  }, 120_000);
});
