import type { AddressInfo } from 'node:net';
import { HubError, PROTOCOL_VERSION } from '@imsg-hub/hub-protocol';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { HubClient } from './hub-client.js';

// HubClient.start against a real ws server on 127.0.0.1 that comes up late, or refuses the token.

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise((r) => s.close(r));
  }
});

async function hubOn(port: number, refuse = false): Promise<WebSocketServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port });
  servers.push(server);
  await new Promise((r) => server.once('listening', r));
  server.on('connection', (socket) => {
    new Peer(new WebSocketTransport(socket), {
      onRequest: (method) => {
        if (method !== 'hello') throw new HubError('NOT_FOUND', method);
        if (refuse) throw new HubError('UNAUTHORIZED', 'this token was revoked');
        return { protocol: PROTOCOL_VERSION, hub_version: 't', session: 's', accounts: ['alice'], seq: 0, max_frame_bytes: 1 << 20, max_file_bytes: 1 << 20 };
      },
    });
  });
  return server;
}

async function freePortNow(): Promise<number> {
  const probe = await hubOn(0);
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  servers.splice(servers.indexOf(probe), 1);
  return port;
}

describe('HubClient.start', () => {
  it('dials in the background until the hub is there; ready() and `connect` tell when', async () => {
    const port = await freePortNow();
    const client = HubClient.start({ url: `ws://127.0.0.1:${port}/`, token: 't', backoff: { initial_ms: 5, max_ms: 20 } });
    try {
      const retries: Error[] = [];
      client.on('retry', (err: Error) => retries.push(err));
      const connected = new Promise((resolve) => client.once('connect', resolve));
      await new Promise<void>((resolve) => client.once('retry', () => resolve()));
      expect(client.connected).toBe(false);
      await hubOn(port);
      await client.ready();
      await expect(connected).resolves.toMatchObject({ accounts: ['alice'] });
      expect(client.hello.accounts).toEqual(['alice']);
      expect(retries[0]?.message).toMatch(/cannot reach the hub/);
    } finally {
      await client.close();
    }
  });

  it('stops on a refused token, says so with `error`, and ready() rejects', async () => {
    const server = await hubOn(0, true);
    const { port } = server.address() as AddressInfo;
    const client = HubClient.start({ url: `ws://127.0.0.1:${port}/`, token: 't', backoff: { initial_ms: 5, max_ms: 20 } });
    try {
      const failed = new Promise<Error>((resolve) => client.once('error', resolve));
      expect(HubError.from(await failed)?.hubCode).toBe('UNAUTHORIZED');
      await expect(client.ready()).rejects.toThrow(/not connected to the hub: this token was revoked/);
    } finally {
      await client.close();
    }
  });
});
