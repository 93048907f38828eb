import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, type WebhookDelivery } from '@imsg-hub/hub';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

const SECRET = 'webhook-secret-for-the-test';

/** A receiver on loopback that verifies every signature, records events, and can go down and come back. */
async function receiver(port = 0) {
  const state = { events: new Map<number, string>(), deliveries: 0, duplicates: 0, badSignatures: 0 };
  let server: Server | undefined;
  const start = async (p: number) => {
    server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const v = verifyWebhook(
          SECRET,
          { signature: req.headers['x-imsg-hub-signature'] as string, timestamp: req.headers['x-imsg-hub-timestamp'] as string },
          body,
        );
        if (!v.ok) {
          state.badSignatures++;
          res.writeHead(401).end();
          return;
        }
        const delivery = JSON.parse(body) as WebhookDelivery;
        state.deliveries++;
        for (const e of delivery.events) {
          if (state.events.has(e.id)) state.duplicates++;
          state.events.set(e.id, e.message.guid);
        }
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server!.listen(p, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  };
  const actual = await start(port);
  return {
    port: actual,
    state,
    down: () =>
      new Promise<void>((resolve) => {
        server!.closeAllConnections();
        server!.close(() => resolve());
      }),
    up: () => start(actual),
  };
}

// Issue 6: every merged event POSTed, signed; 0 lost across a receiver outage and a hub restart.
describe('webhooks end to end', () => {
  it('delivers every merged event, signed, with nothing lost across a receiver outage and a hub kill -9', async () => {
    await using tmp = tempDir('webhooks-');
    const rx = await receiver();
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: ['alice@example.com'], via: 'local' },
        { name: 'bob', handles: ['bob@example.com'], via: 'local' },
      ],
      hubConfig: { webhooks: [{ id: 'test', url: `http://127.0.0.1:${rx.port}/hook`, secret: SECRET, since: 0, batch: 20 }] },
      agentConfig: { hub: { reconnect: { initial_ms: 100, max_ms: 500 } } },
    });
    const members = ['alice@example.com', 'bob@example.com', '+14155550999'];
    const expected = new Set<string>();
    const wave = (n: number, tag: string) => {
      const group = fleet.world.inject({ from: '+14155550999', text: `${tag} group`, group: { name: `G ${tag}`, members } });
      expected.add(group.guid);
      for (let i = 0; i < n; i++) {
        expected.add(fleet.world.inject({ account: i % 2 ? 'alice' : 'bob', from: `+1415555${String(3000 + i)}`, text: `${tag} ${i}` }).guid);
      }
    };
    const got = () => new Set(rx.state.events.values());

    wave(40, 'before');
    await waitFor(() => got().size >= 41, 20_000);
    await rx.down(); // receiver outage…
    wave(40, 'outage');
    await new Promise((r) => setTimeout(r, 1500)); // …long enough for failed attempts and retries
    await fleet.hub.kill('SIGKILL'); // …and a hub crash during it
    await fleet.hub.start();
    wave(40, 'after-restart');
    await new Promise((r) => setTimeout(r, 500));
    await rx.up();
    await waitFor(() => got().size >= expected.size, 30_000).catch(() => {
      throw new Error(`receiver has ${got().size}/${expected.size}; hub: ${fleet.hub.stderr.slice(-2000)}`);
    });
    expect(
      [...expected].filter((g) => !got().has(g)),
      '0 events lost',
    ).toEqual([]);
    expect([...got()].filter((g) => !expected.has(g))).toEqual([]);
    expect(rx.state.badSignatures, 'every signature verified').toBe(0);
    // Each event's id is its hub id, in ascending order within the stream; a shared group's message once.
    expect(rx.state.events.size).toBe(expected.size);
    expect(rx.state.duplicates).toBeLessThanOrEqual(20); // at most the batch in flight at the crash
    await rx.down();
  }, 90_000);
});
