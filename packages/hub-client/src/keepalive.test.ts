import { PROTOCOL_VERSION } from '@imsg-hub/hub-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { HubClient } from './hub-client.js';

// A hub that says hello and then answers pings only while `answering` is true: a link that stays
// open but goes silent, as a half-open connection does.
let answering = true;

const waitFor = async (cond: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; !cond(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error('condition not met in time');
  }
};
const servers: WebSocketServer[] = [];

async function silentHub(): Promise<string> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  servers.push(wss);
  await new Promise((r) => wss.once('listening', r));
  wss.on('connection', (socket: WebSocket) => {
    socket.on('message', (data) => {
      const msg = JSON.parse(String(data)) as { id: number; method: string };
      const reply = (result: unknown) => socket.send(JSON.stringify({ jsonrpc: '2.0', id: msg.id, result }));
      if (msg.method === 'hello') {
        reply({ protocol: PROTOCOL_VERSION, hub_version: 't', session: 's', accounts: [], seq: 0, max_frame_bytes: 1 << 20, max_file_bytes: 1 << 20 });
      } else if (msg.method === 'ping' && answering) {
        reply({ ts: Date.now() });
      }
    });
  });
  const { port } = wss.address() as { port: number };
  return `ws://127.0.0.1:${port}/`;
}

afterEach(async () => {
  answering = true;
  for (const wss of servers.splice(0)) {
    for (const c of wss.clients) c.terminate();
    await new Promise((r) => wss.close(r));
  }
});

describe('HubClient keepalive', () => {
  it('drops a link that stops answering pings, and reconnects', async () => {
    const url = await silentHub();
    await using client = await HubClient.connect({ url, token: 't', reconnect: true, keepaliveMs: 40 });
    const events: string[] = [];
    client.on('disconnect', () => events.push('disconnect'));
    client.on('reconnect', () => events.push('reconnect'));
    answering = false;
    await waitFor(() => events.includes('disconnect'), 2000);
    answering = true;
    await waitFor(() => events.includes('reconnect'), 2000);
    expect(client.connected).toBe(true);
  });
});
