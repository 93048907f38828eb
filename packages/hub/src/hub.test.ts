import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubClient } from '@imsg-hub/hub-client';
import { HubError, PROTOCOL_VERSION, type HubMessage, type Row } from '@imsg-hub/hub-protocol';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { parseHubConfig } from './config.js';
import { Hub } from './hub.js';
import { startHubServer, type HubServer } from './hub-server.js';
import { createToken } from './token-auth.js';
import { SqliteStore } from '@imsg-hub/store/open';

let dir: string;
let hub: Hub;
let server: HubServer;
let tokens: { agentAlice: string; agentBob: string; client: string; clientBob: string };

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hub-test-'));
  hub = await Hub.open({
    config: parseHubConfig({ data_dir: dir, max_frame_bytes: 256 * 1024 }),
    log: pino({ level: 'silent' }),
    store: new SqliteStore(join(dir, 'hub.db')),
  });
  server = await startHubServer(hub, { host: '127.0.0.1', port: 0 });
  tokens = {
    agentAlice: (await createToken(hub.store, 'agent', ['alice'])).token,
    agentBob: (await createToken(hub.store, 'agent', ['bob'])).token,
    client: (await createToken(hub.store, 'client', '*')).token,
    clientBob: (await createToken(hub.store, 'client', ['bob'])).token,
  };
});
afterEach(async () => {
  await server.close();
  await hub.close();
  rmSync(dir, { recursive: true, force: true });
});

async function rawPeer(): Promise<{ peer: Peer; socket: WebSocket }> {
  const socket = new WebSocket(server.url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return { peer: new Peer(new WebSocketTransport(socket)), socket };
}

async function agent(token: string, accounts: string[]): Promise<Peer> {
  const { peer } = await rawPeer();
  await peer.request('hello', { protocol: PROTOCOL_VERSION, role: 'agent', token, agent: { id: 'test', version: '0' }, accounts });
  return peer;
}

function row(rowid: number, text = `m${rowid}`): Row {
  return {
    rowid,
    message: {
      id: rowid,
      chat_id: 1,
      guid: `guid-${rowid}-${text}`,
      sender: '+15551230000',
      is_from_me: false,
      text,
      created_at: '2026-01-01T00:00:00.000Z',
      attachments: [],
      reactions: [],
      chat_identifier: '+15551230000',
      chat_guid: 'iMessage;-;+15551230000',
      chat_name: '',
      participants: ['+15551230000'],
      is_group: false,
    },
  };
}

const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('hub over real sockets', () => {
  it('stores agent rows, acks cumulatively, and streams replay then live with no gap or duplicate', async () => {
    const a = await agent(tokens.agentAlice, ['alice']);
    expect(await a.request('rows', { account: 'alice', epoch: 1, rows: [row(1), row(2), row(3)] })).toEqual({ account: 'alice', epoch: 1, acked: 3 });
    await using client = await HubClient.connect({ url: server.url, token: tokens.client });
    const seen: HubMessage[] = [];
    await client.watch({ since: 1 }, (m) => seen.push(m));
    // live rows arrive while the replay may still be going
    await a.request('rows', { account: 'alice', epoch: 1, rows: [row(3), row(4), row(5)] });
    await until(() => seen.length >= 4);
    expect(seen.map((m) => m.native_id)).toEqual([2, 3, 4, 5]);
    expect(seen.every((m) => m.account === 'alice')).toBe(true);
    // The hub tells a reconnecting agent where to resume.
    const again = await rawPeer();
    const hello = (await again.peer.request('hello', {
      protocol: 1,
      role: 'agent',
      token: tokens.agentAlice,
      agent: { id: 'x', version: '0' },
      accounts: ['alice'],
    })) as { accounts: unknown };
    expect(hello.accounts).toEqual([{ name: 'alice', epoch: 1, hwm: 5 }]);
    await a.close();
    await again.peer.close();
  });

  it('refuses wrong and revoked tokens, a wrong role, and calls before hello', async () => {
    const { peer } = await rawPeer();
    await expect(peer.request('chats.list', {})).rejects.toMatchObject({ code: -32002 });
    const p2 = (await rawPeer()).peer;
    await expect(p2.request('hello', { protocol: 1, role: 'client', token: 'ihub_xxxxxxxxxx_' + 'a'.repeat(43) })).rejects.toMatchObject({ code: -32001 });
    await expect(HubClient.connect({ url: server.url, token: tokens.agentAlice })).rejects.toMatchObject({ hubCode: 'WRONG_ROLE' });
    const { record, token } = await createToken(hub.store, 'client', '*');
    await hub.store.revokeToken(record.id, new Date().toISOString());
    const err = await HubClient.connect({ url: server.url, token }).catch((e: unknown) => e);
    expect(HubError.from(err)?.message).toMatch(/revoked/);
  });

  it('refuses rows for an account the agent token does not name, storing nothing', async () => {
    const { peer } = await rawPeer();
    await expect(
      peer.request('hello', { protocol: 1, role: 'agent', token: tokens.agentAlice, agent: { id: 'evil', version: '0' }, accounts: ['alice', 'bob'] }),
    ).rejects.toMatchObject({ code: -32004 });
    const a = await agent(tokens.agentAlice, ['alice']);
    await expect(a.request('rows', { account: 'bob', epoch: 1, rows: [row(1)] })).rejects.toMatchObject({ code: -32004 });
    expect(hub.model.maxSeq).toBe(0);
    expect(hub.model.accounts.get('bob')).toBeUndefined();
    await a.close();
  });

  it('scopes a client token to its accounts', async () => {
    const a = await agent(tokens.agentAlice, ['alice']);
    const b = await agent(tokens.agentBob, ['bob']);
    await a.request('rows', { account: 'alice', epoch: 1, rows: [row(1, 'for alice')] });
    await b.request('rows', { account: 'bob', epoch: 1, rows: [row(1, 'for bob')] });
    await using client = await HubClient.connect({ url: server.url, token: tokens.clientBob });
    expect(client.hello.accounts).toEqual(['bob']);
    const seen: HubMessage[] = [];
    await client.watch({ since: 0 }, (m) => seen.push(m));
    await until(() => seen.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.map((m) => m.text)).toEqual(['for bob']);
    const chats = await client.call('chats.list', {});
    expect(chats.chats.map((c) => c.account)).toEqual(['bob']);
    await expect(client.call('chats.list', { account: 'alice' })).rejects.toMatchObject({ code: -32004 });
    const aliceChat = hub.model.chats({ scope: undefined, merged: false, limit: 5, account: 'alice' })[0]!;
    await expect(client.call('messages.history', { chat_id: aliceChat.id })).rejects.toMatchObject({ code: -32020 });
    await a.close();
    await b.close();
  });

  it('messages.after pages every chat oldest first, within the token, one chat or all, tapbacks on request', async () => {
    const a = await agent(tokens.agentAlice, ['alice']);
    const b = await agent(tokens.agentBob, ['bob']);
    const other = (rowid: number, text: string): Row => {
      const r = row(rowid, text);
      return { ...r, message: { ...r.message, chat_id: 2, chat_identifier: '+15559990000', chat_guid: 'iMessage;-;+15559990000' } };
    };
    const tapback = (rowid: number, target: string): Row => {
      const r = row(rowid, 'Liked it');
      return { ...r, message: { ...r.message, is_reaction: true, reaction_type: 'like', is_reaction_add: true, reacted_to_guid: target } };
    };
    await a.request('rows', { account: 'alice', epoch: 1, rows: [row(1, 'a1'), other(2, 'a2'), row(3, 'a3'), tapback(4, 'guid-1-a1')] });
    await b.request('rows', { account: 'bob', epoch: 1, rows: [row(1, 'b1')] });
    await using client = await HubClient.connect({ url: server.url, token: tokens.client });
    const all = (await client.call('messages.after', { after: 0 })).messages;
    expect(all.map((m) => m.text)).toEqual(['a1', 'a2', 'a3', 'b1']);
    const page = (await client.call('messages.after', { after: all[0]!.id, limit: 2 })).messages;
    expect(page.map((m) => m.text)).toEqual(['a2', 'a3']);
    const withTapbacks = (await client.call('messages.after', { after: 0, accounts: ['alice'], include_reactions: true })).messages;
    expect(withTapbacks.map((m) => m.text)).toEqual(['a1', 'a2', 'a3', 'Liked it']);
    const chat = all[0]!.chat_id;
    expect((await client.call('messages.after', { after: 0, chat_id: chat })).messages.map((m) => m.text)).toEqual(['a1', 'a3']);
    await using bobOnly = await HubClient.connect({ url: server.url, token: tokens.clientBob });
    expect((await bobOnly.call('messages.after', { after: 0 })).messages.map((m) => m.text)).toEqual(['b1']);
    await expect(bobOnly.call('messages.after', { after: 0, chat_id: chat })).rejects.toMatchObject({ code: -32020 });
    await expect(bobOnly.call('messages.after', { after: 0, accounts: ['alice'] })).rejects.toMatchObject({ code: -32004 });
    await a.close();
    await b.close();
  });

  it('answers malformed frames with an error, drops oversize frames, and keeps serving others', async () => {
    await using client = await HubClient.connect({ url: server.url, token: tokens.client });
    const { socket, peer } = await rawPeer();
    // After hello: before it, the first bad frame closes the connection (test/hardening-pre-hello.test.ts).
    await peer.request('hello', { protocol: PROTOCOL_VERSION, role: 'client', token: tokens.client });
    const replies: unknown[] = [];
    socket.on('message', (d) => replies.push(JSON.parse(String(d))));
    socket.send('{not json');
    socket.send('[1,2]');
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'hello', params: { role: 'client' } }));
    await until(() => replies.length >= 3);
    expect(replies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ error: expect.objectContaining({ code: -32700 }) }),
        expect.objectContaining({ error: expect.objectContaining({ code: -32600 }) }),
        expect.objectContaining({ id: 7, error: expect.objectContaining({ code: -32602 }) }),
      ]),
    );
    const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
    socket.send('x'.repeat(300 * 1024));
    expect(await closed).toBe(1009);
    expect((await client.call('accounts.list', {})).accounts).toEqual([]);
  });

  it('closes the file of a blob download the client abandons (no fd leak)', async () => {
    await using client = await HubClient.connect({ url: server.url, token: tokens.client });
    const { sha256 } = await client.upload(Buffer.alloc(200_000, 7), 'big.bin');
    const openOnBlob = () =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).endsWith(sha256);
        } catch {
          return false;
        }
      }).length;
    for (let i = 0; i < 10; i++) {
      await new Promise<void>((resolve) => {
        const req = httpGet(`${server.httpUrl}blobs/${sha256}`, { headers: { authorization: `Bearer ${tokens.client}` } }, (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
      });
    }
    await until(() => openOnBlob() === 0, 3000);
  });

  it('an agent reads and names only blobs of its own accounts', async () => {
    const a = await agent(tokens.agentAlice, ['alice']);
    const b = await agent(tokens.agentBob, ['bob']);
    const bytes = Buffer.from('alice photo bytes');
    const sha = createHash('sha256').update(bytes).digest('hex');
    const up = (await a.request('upload.begin', { size: bytes.length, name: 'p.jpg' })) as { upload_id: string };
    await a.request('upload.chunk', { upload_id: up.upload_id, offset: 0, data: bytes.toString('base64') });
    await a.request('upload.finish', { upload_id: up.upload_id, sha256: sha });
    const withBlob = (r: Row): Row => ({
      ...r,
      message: {
        ...r.message,
        attachments: [
          {
            filename: 'p.jpg',
            transfer_name: 'p.jpg',
            uti: 'public.jpeg',
            mime_type: 'image/jpeg',
            total_bytes: bytes.length,
            is_sticker: false,
            original_path: '/x/p.jpg',
            missing: false,
          },
        ],
      },
      blobs: [{ index: 0, state: 'stored', sha256: sha, size: bytes.length }],
    });
    await a.request('rows', { account: 'alice', epoch: 1, rows: [withBlob(row(1, 'alice'))] });
    await expect(b.request('blob.read', { sha256: sha, offset: 0, length: 100 })).rejects.toMatchObject({ code: -32020 });
    expect(await a.request('blob.read', { sha256: sha, offset: 0, length: 100 })).toMatchObject({ size: bytes.length });
    // bob's agent naming alice's blob on its own row: stored without the reference.
    await b.request('rows', { account: 'bob', epoch: 1, rows: [withBlob(row(1, 'bob'))] });
    const bobMsg = (await hub.model.after(0, { merged: false, accounts: ['bob'] }, 5))[0]!;
    expect(bobMsg.attachments[0]).toMatchObject({ blob_state: 'failed' });
    expect(bobMsg.attachments[0]!.blob).toBeUndefined();
    await using bobClient = await HubClient.connect({ url: server.url, token: tokens.clientBob });
    await expect(bobClient.download(sha)).rejects.toMatchObject({ code: -32020 });
    await a.close();
    await b.close();
  });

  it('a client reconnects after the server restarts, resubscribing only the watches that started', async () => {
    const a = await agent(tokens.agentAlice, ['alice']);
    await using client = await HubClient.connect({ url: server.url, token: tokens.client, reconnect: true });
    await expect(client.watch({ since: -5 } as never, () => undefined)).rejects.toMatchObject({ code: -32602 });
    const seen: HubMessage[] = [];
    await client.watch({ since: 0 }, (m) => seen.push(m));
    await a.request('rows', { account: 'alice', epoch: 1, rows: [row(1)] });
    await until(() => seen.length === 1);
    const reconnected = new Promise((resolve) => client.once('reconnect', resolve));
    const port = server.port;
    await server.close(); // drops every connection
    server = await startHubServer(hub, { host: '127.0.0.1', port });
    await reconnected;
    const a2 = await agent(tokens.agentAlice, ['alice']);
    await a2.request('rows', { account: 'alice', epoch: 1, rows: [row(2)] });
    await until(() => seen.length === 2);
    expect(seen.map((m) => m.native_id)).toEqual([1, 2]);
    await a2.close();
  });
});
