// Shared by the hub benches: a real `imsg-hub serve` child, fake agents and clients on real sockets.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import { HubProcess } from '@imsg-hub/testkit';
import WebSocket from 'ws';

/** A hub process; `store` as HubProcessOptions.store (default SQLite, whatever IMSG_TEST_STORE says). */
export async function hubFixture(config = {}, store = 'sqlite') {
  const dir = mkdtempSync(join(tmpdir(), 'imsg-hub-bench-'));
  const hub = new HubProcess({ dir, config, env: { ...process.env, LOG_LEVEL: 'error' }, store });
  await hub.start();
  return {
    hub,
    async close() {
      await hub.stop();
      await hub[Symbol.asyncDispose]();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function connect(url, { onNotification } = {}) {
  const socket = new WebSocket(url, { maxPayload: 64 * 1024 * 1024 });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const peer = new Peer(new WebSocketTransport(socket), { defaultTimeoutMs: 60_000, ...(onNotification ? { onNotification } : {}) });
  return { socket, peer };
}

export async function fakeAgent(url, token, accounts, id = 'bench') {
  const link = await connect(url);
  const hello = await link.peer.request('hello', { protocol: 1, role: 'agent', token, agent: { id, version: 'bench' }, accounts });
  return { ...link, hello };
}

export async function client(url, token, onMessage) {
  const link = await connect(url, {
    onNotification: (method, params) => {
      if (method === 'message') onMessage(params.message);
      else if (method === 'messages') for (const m of params.messages) onMessage(m);
    },
  });
  await link.peer.request('hello', { protocol: 1, role: 'client', token, client: { name: 'bench' } });
  return link;
}

/** A message row like the agent forwards, about the size of a real short iMessage. */
export function row(rowid, text = `bench message number ${rowid} with a little text in it`) {
  return {
    rowid,
    message: {
      id: rowid,
      chat_id: 1 + (rowid % 10),
      guid: `BENCH-${rowid}-${Math.random().toString(36).slice(2, 10)}`,
      sender: '+14155550100',
      is_from_me: false,
      text,
      created_at: new Date().toISOString(),
      attachments: [],
      reactions: [],
      chat_identifier: `+1415555${String(rowid % 10).padStart(4, '0')}`,
      chat_guid: `iMessage;-;+1415555${String(rowid % 10).padStart(4, '0')}`,
      chat_name: '',
      participants: [`+1415555${String(rowid % 10).padStart(4, '0')}`],
      is_group: false,
      destination_caller_id: 'me@example.com',
    },
  };
}

export { percentile } from './sim-helpers.mjs';

export function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
