import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { HubClient } from '@imsg-hub/hub-client';
import { HubError, PROTOCOL_VERSION, type Row } from '@imsg-hub/hub-protocol';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import { binPath, startHubProcess, tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

// Issue 10, the points the hub core owns, each through a real hub process.

async function agentPeer(url: string, token: string, accounts: string[], onRequest?: (method: string, params: unknown) => unknown): Promise<Peer> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const peer = new Peer(new WebSocketTransport(socket), onRequest ? { onRequest: async (m, p) => onRequest(m, p) } : {});
  await peer.request('hello', { protocol: PROTOCOL_VERSION, role: 'agent', token, agent: { id: `t-${accounts[0]}`, version: '0' }, accounts });
  return peer;
}

function row(rowid: number, over: Record<string, unknown> = {}): Row {
  return {
    rowid,
    message: {
      id: rowid,
      chat_id: 1,
      guid: `G-${rowid}-${Math.random()}`,
      sender: '+14155550100',
      is_from_me: false,
      text: `m${rowid}`,
      created_at: '2026-01-01T00:00:00.000Z',
      attachments: [],
      reactions: [],
      chat_identifier: '+14155550100',
      chat_guid: 'iMessage;-;+14155550100',
      chat_name: '',
      participants: ['+14155550100'],
      is_group: false,
      ...over,
    },
  } as Row;
}

describe('hardening: the hub core', () => {
  it('(3) an agent cannot claim another account’s contact as one of its own handles', async () => {
    await using tmp = tempDir('hard-handles-');
    await using hub = await startHubProcess({
      dir: tmp.path,
      config: { accounts: { alice: { handles: ['alice@example.com'] }, bob: { handles: ['bob@example.com'] } } },
    });
    const alice = await agentPeer(hub.url, await hub.token('agent', ['alice']), ['alice']);
    const bob = await agentPeer(hub.url, await hub.token('agent', ['bob']), ['bob']);
    // bob's agent says alice's contact +14155550100 is one of bob's own handles.
    await bob.request('rows', {
      account: 'bob',
      epoch: 1,
      rows: [
        row(1, { destination_caller_id: '+14155550100', chat_identifier: '+1999', chat_guid: 'iMessage;-;+1999', sender: '+1999', participants: ['+1999'] }),
      ],
    });
    await alice.request('rows', { account: 'alice', epoch: 1, rows: [row(1, { text: 'from a contact of alice' })] });
    const client = await HubClient.connect({ url: hub.url, token: await hub.token('client', '*') });
    const chats = (await client.call('chats.list', {})).chats;
    const aliceChat = chats.find((c) => c.account === 'alice')!;
    const [m] = (await client.call('messages.history', { chat_id: aliceChat.id })).messages;
    expect(m).toMatchObject({ text: 'from a contact of alice', is_from_me: false, accounts: ['alice'] });
    await client.close();
    await Promise.all([alice.close(), bob.close()]);
  });

  it('(5) an agent answering send.dispatch with garbage gets a bounded number of attempts, then the send fails', async () => {
    await using tmp = tempDir('hard-garbage-');
    await using hub = await startHubProcess({
      dir: tmp.path,
      config: { accounts: { alice: { handles: [] } }, default_account: 'alice', send: { retry: { base_ms: 20, max_ms: 100 } } },
    });
    let dispatches = 0;
    const agent = await agentPeer(hub.url, await hub.token('agent', ['alice']), ['alice'], (method) => {
      if (method !== 'send.dispatch') return {};
      dispatches += 1;
      return dispatches % 2 ? { status: 'nonsense' } : { what: 'is this' };
    });
    const client = await HubClient.connect({ url: hub.url, token: await hub.token('client', '*') });
    await client.call('send', { target: '+14155550100', text: 'hi', idempotency_key: 'garbage', wait_ms: 0 });
    const failed = await waitFor(async () => {
      const s = await client.call('send.status', { idempotency_key: 'garbage' });
      return s.state === 'failed' && s;
    }, 60_000);
    expect(failed.error).toMatchObject({ data: { code: 'SEND_FAILED' } });
    expect(dispatches).toBe(8);
    await new Promise((r) => setTimeout(r, 500));
    expect(dispatches).toBe(8); // and no more after that
    await client.close();
    await agent.close();
  }, 90_000);

  it('(9, 11) a scoped client is never told other account names; account lists and names are strict', async () => {
    await using tmp = tempDir('hard-scope-');
    await using hub = await startHubProcess({ dir: tmp.path, config: { accounts: { alice: { handles: [] }, secretproject: { handles: [] } } } });
    const client = await HubClient.connect({ url: hub.url, token: await hub.token('client', ['alice']) });
    const refusals = [];
    for (const account of ['nosuch', 'secretproject']) {
      const err = await client.call('send', { target: '+14155550100', text: 'x', account }).then(
        () => undefined,
        (e: unknown) => HubError.from(e),
      );
      expect(err).toBeInstanceOf(HubError);
      refusals.push({ code: err!.hubCode, message: err!.message.replace(account, '<name>'), details: err!.details });
    }
    // An account that exists but is not the token's reads exactly like one that does not exist.
    expect(refusals[0]).toEqual(refusals[1]);
    expect(refusals[0]!.message).toContain('alice');
    await client.close();
    const star = await hub.cli(['token', 'create', '--data-dir', hub.dataDir, '--role', 'client', '--accounts', 'alice,*']);
    expect(star.code).toBe(1);
    expect(star.stderr).toMatch(/must stand alone/);
    for (const bad of ['token:abc', '../x']) {
      const r = await hub.cli(['token', 'create', '--data-dir', hub.dataDir, '--role', 'agent', '--accounts', bad]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('is not an account name');
    }
    const token = await hub.token('agent', ['alice']);
    const socket = new WebSocket(hub.url);
    await new Promise((resolve) => socket.once('open', resolve));
    const peer = new Peer(new WebSocketTransport(socket));
    const hello = peer.request('hello', { protocol: PROTOCOL_VERSION, role: 'agent', token, agent: { id: 'x', version: '0' }, accounts: ['../x'] });
    await expect(hello).rejects.toThrow(/accounts/);
    await peer.close();
  });

  it('(12, 17) the data dir is 0700 and the store files 0600 whatever the umask; token create will not invent a second store', async () => {
    await using tmp = tempDir('hard-modes-');
    const dataDir = tmp.join('hub', 'data');
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    // SQLite's files (on PostgreSQL there are none): whatever IMSG_TEST_STORE says.
    await using hub = await startHubProcess({ dir: tmp.join('hub'), env: { ...process.env }, config: {}, store: 'sqlite' });
    await hub.token('client', '*'); // writes to the store
    expect(statSync(hub.dataDir).mode & 0o777).toBe(0o700);
    for (const f of ['hub.db', 'hub.db-wal', 'hub.db-shm']) expect(statSync(`${hub.dataDir}/${f}`).mode & 0o777).toBe(0o600);
    const elsewhere = tmp.join('elsewhere');
    mkdirSync(elsewhere);
    let failed: { status: number; stderr: string } | undefined;
    try {
      execFileSync(process.execPath, [binPath('imsg-hub'), 'token', 'create', '--role', 'client', '--accounts', '*'], {
        cwd: elsewhere,
        env: { ...process.env, IMSG_HUB_CONFIG: '', IMSG_HUB_DATA_DIR: '' },
        stdio: 'pipe',
      });
    } catch (err) {
      failed = { status: (err as { status: number }).status, stderr: String((err as { stderr: Buffer }).stderr) };
    }
    expect(failed?.status).toBe(1);
    expect(failed?.stderr).toMatch(/no hub store in .*--config/);
  });

  it('(14) a webhook receiver that redirects is not followed; (15) agents cannot set blob fields; (16) no handles in info logs', async () => {
    await using tmp = tempDir('hard-hooks-');
    const elsewhere: string[] = [];
    const thief = createServer((req, res) => {
      elsewhere.push(req.url ?? '');
      res.writeHead(200).end();
    });
    await new Promise<void>((r) => thief.listen(0, '127.0.0.1', r));
    let redirected = 0;
    const receiver = createServer((_req, res) => {
      redirected += 1;
      res.writeHead(307, { location: `http://127.0.0.1:${(thief.address() as AddressInfo).port}/stolen` }).end();
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    await using hub = await startHubProcess({
      dir: tmp.path,
      env: { ...process.env, LOG_LEVEL: 'info' },
      config: {
        accounts: { alice: { handles: [] } },
        default_account: 'alice',
        webhooks: [{ id: 'w', url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, secret: 'x'.repeat(16), since: 0 }],
      },
    });
    const agent = await agentPeer(hub.url, await hub.token('agent', ['alice']), ['alice'], (method) =>
      method === 'send.dispatch' ? { status: 'sent', result: { ok: true, id: 1, guid: 'S1' } } : {},
    );
    const forged = 'f'.repeat(64);
    const withAttachment = row(1, {
      attachments: [
        {
          filename: 'a',
          transfer_name: 'a.jpg',
          uti: '',
          mime_type: 'image/jpeg',
          total_bytes: 3,
          is_sticker: false,
          original_path: 'a',
          missing: false,
          blob: forged,
          blob_state: 'stored',
        },
      ],
    });
    await agent.request('rows', { account: 'alice', epoch: 1, rows: [withAttachment] });
    await waitFor(() => redirected >= 1, 15_000);
    const client = await HubClient.connect({ url: hub.url, token: await hub.token('client', '*') });
    const [m] = (await client.call('messages.history', { chat_id: (await client.call('chats.list', {})).chats[0]!.id })).messages;
    expect(m!.attachments[0]!.blob).toBeUndefined();
    expect(m!.attachments[0]!.blob_state).toBeUndefined();
    await client.call('send', { target: '+14155550177', text: 'secret text', wait_ms: 5000 });
    await new Promise((r) => setTimeout(r, 300));
    expect(elsewhere).toEqual([]);
    expect(hub.stderr).toContain('send queued');
    expect(hub.stderr).not.toContain('14155550177');
    await client.close();
    await agent.close();
    await new Promise((r) => receiver.close(r));
    await new Promise((r) => thief.close(r));
  });

  it('(10) idempotency keys belong to their token: another tenant’s key is neither revealed nor blocked', async () => {
    await using tmp = tempDir('hard-keys-');
    await using hub = await startHubProcess({ dir: tmp.path, config: { accounts: { alice: { handles: [] }, bob: { handles: [] } } } });
    const seen: string[] = [];
    const agents = await Promise.all(
      ['alice', 'bob'].map(async (a) =>
        agentPeer(hub.url, await hub.token('agent', [a]), [a], (method, params) => {
          if (method !== 'send.dispatch') return {};
          seen.push((params as { key: string }).key);
          return { status: 'sent', result: { ok: true, guid: `G-${seen.length}` } };
        }),
      ),
    );
    const alice = await HubClient.connect({ url: hub.url, token: await hub.token('client', ['alice']) });
    const bob = await HubClient.connect({ url: hub.url, token: await hub.token('client', ['bob']) });
    const first = await alice.call('send', { target: '+14155550100', account: 'alice', text: 'from alice', idempotency_key: 'invoice-42', wait_ms: 5000 });
    // bob's tenant uses the same key for a different send: its own send, not a conflict or a scope error.
    const second = await bob.call('send', { target: '+14155550100', account: 'bob', text: 'from bob', idempotency_key: 'invoice-42', wait_ms: 5000 });
    expect([first.state, first.idempotency_key, second.state, second.idempotency_key]).toEqual(['sent', 'invoice-42', 'sent', 'invoice-42']);
    expect(seen).toHaveLength(2);
    expect((await bob.call('send.status', { idempotency_key: 'invoice-42' })).account).toBe('bob');
    // And a repeat within one tenant is still the same send.
    await alice.call('send', { target: '+14155550100', account: 'alice', text: 'from alice', idempotency_key: 'invoice-42', wait_ms: 5000 });
    expect(seen).toHaveLength(2);
    await Promise.all([alice.close(), bob.close(), ...agents.map((a) => a.close())]);
  });
});
