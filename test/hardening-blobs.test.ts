import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HubClient } from '@imsg-hub/hub-client';
import { HUB_ERROR_CODES, HubError, PROTOCOL_VERSION, type Row } from '@imsg-hub/hub-protocol';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import { startHubProcess, tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';

// Issue 10, point 8, through a real hub process: each token's uploads are bounded, and blobs that
// nothing references are deleted after a grace period — never those of stored messages or of sends
// still in progress.

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function agentPeer(url: string, token: string, onDispatch: () => Promise<unknown>): Promise<Peer> {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const peer = new Peer(new WebSocketTransport(socket), { onRequest: async (m) => (m === 'send.dispatch' ? onDispatch() : {}) });
  await peer.request('hello', { protocol: PROTOCOL_VERSION, role: 'agent', token, agent: { id: 't-alice', version: '0' }, accounts: ['alice'] });
  return peer;
}

async function peerUpload(peer: Peer, bytes: Buffer): Promise<string> {
  const begin = (await peer.request('upload.begin', { size: bytes.length, name: 'photo.jpg' })) as { upload_id: string };
  await peer.request('upload.chunk', { upload_id: begin.upload_id, offset: 0, data: bytes.toString('base64') });
  await peer.request('upload.finish', { upload_id: begin.upload_id, sha256: sha(bytes) });
  return sha(bytes);
}

function rowWithBlob(sha256: string, size: number): Row {
  return {
    rowid: 1,
    message: {
      id: 1,
      chat_id: 1,
      guid: 'G-photo',
      sender: '+14155550100',
      is_from_me: false,
      text: 'a photo',
      created_at: '2026-01-01T00:00:00.000Z',
      attachments: [
        {
          filename: 'p',
          transfer_name: 'photo.jpg',
          uti: 'public.jpeg',
          mime_type: 'image/jpeg',
          total_bytes: size,
          is_sticker: false,
          original_path: 'p',
          missing: false,
        },
      ],
      reactions: [],
      chat_identifier: '+14155550100',
      chat_guid: 'iMessage;-;+14155550100',
      chat_name: '',
      participants: ['+14155550100'],
      is_group: false,
    },
    blobs: [{ index: 0, state: 'stored', sha256, size }],
  } as Row;
}

describe('hardening: uploads', () => {
  it('(8) each token’s uploads no message references are bounded in bytes and count, refused at upload.begin', async () => {
    await using tmp = tempDir('hard-quota-');
    await using hub = await startHubProcess({ dir: tmp.path, config: { blobs: { quota_bytes: 1000, quota_count: 3 } } });
    await using a = await HubClient.connect({ url: hub.url, token: await hub.token('client', '*', 'a') });
    await using b = await HubClient.connect({ url: hub.url, token: await hub.token('client', '*', 'b') });
    await a.upload(randomBytes(600), 'one.bin');
    const over = HubError.from(await a.upload(randomBytes(500), 'two.bin').catch((e: unknown) => e));
    expect(over?.hubCode).toBe('QUOTA_EXCEEDED');
    expect(over?.code).toBe(HUB_ERROR_CODES.QUOTA_EXCEEDED);
    expect(over?.message).toContain('600 bytes (blobs.quota_bytes is 1000)');
    expect(over?.message).toContain('raise the quota in the hub config');
    expect(over?.details).toMatchObject({ bytes: 600, count: 1, size: 500, quota_bytes: 1000, quota_count: 3 });
    // Nothing of the refused upload was kept.
    await a.upload(randomBytes(400), 'fits.bin');
    // The quota is the token's: another token has its own, bounded in count too.
    for (let i = 0; i < 3; i++) await b.upload(randomBytes(10), `${i}.bin`);
    const many = HubError.from(await b.upload(randomBytes(10), 'fourth.bin').catch((e: unknown) => e));
    expect(many?.hubCode).toBe('QUOTA_EXCEEDED');
    expect(many?.message).toContain('3 files (blobs.quota_count is 3)');
  });

  it('(8) blobs no message and no send in progress references are deleted after the grace period; the others stay', async () => {
    await using tmp = tempDir('hard-collect-');
    await using hub = await startHubProcess({
      dir: tmp.path,
      config: { accounts: { alice: { handles: [] } }, default_account: 'alice', blobs: { grace_s: 1, sweep_interval_ms: 200 } },
    });
    const file = (s: string) => join(hub.dataDir, 'blobs', s.slice(0, 2), s);
    let settle: ((outcome: unknown) => void) | undefined;
    const agent = await agentPeer(hub.url, await hub.token('agent', ['alice']), () => new Promise((r) => (settle = r)));
    // A message's photo (uploaded by the agent, stored with its row).
    const photo = randomBytes(3000);
    const photoSha = await peerUpload(agent, photo);
    await agent.request('rows', { account: 'alice', epoch: 1, rows: [rowWithBlob(photoSha, photo.length)] });
    await using client = await HubClient.connect({ url: hub.url, token: await hub.token('client', '*') });
    // A file of a send the agent has not answered yet (dispatched: still in progress).
    const doc = await client.upload(randomBytes(2000), 'doc.pdf');
    await client.call('send', { target: '+14155550100', file: { sha256: doc.sha256, name: 'doc.pdf' }, wait_ms: 0 });
    // Uploaded last, used by nothing.
    const unused = await client.upload(randomBytes(1000), 'unused.bin');
    expect([file(photoSha), file(doc.sha256), file(unused.sha256)].map(existsSync)).toEqual([true, true, true]);

    // Once the unused file goes, every earlier upload was past its grace in that sweep too.
    await waitFor(() => !existsSync(file(unused.sha256)), 20_000);
    expect(HubError.from(await client.download(unused.sha256).catch((e: unknown) => e))?.hubCode).toBe('NOT_FOUND');
    expect(existsSync(file(photoSha))).toBe(true);
    expect(sha(await client.download(photoSha))).toBe(photoSha);
    expect(existsSync(file(doc.sha256))).toBe(true);
    // A file the store has no record of (an upload whose record a crash lost) goes once past the grace.
    const orphan = 'e'.repeat(64);
    mkdirSync(dirname(file(orphan)), { recursive: true });
    writeFileSync(file(orphan), 'lost');
    await waitFor(() => !existsSync(file(orphan)), 20_000);
    expect(existsSync(file(photoSha))).toBe(true);

    // The send fails: nothing references its file any more, and it goes too.
    await waitFor(() => settle !== undefined, 10_000);
    settle!({ status: 'failed', error: { code: -32000, message: 'no' } });
    await waitFor(() => !existsSync(file(doc.sha256)), 20_000);
    expect(existsSync(file(photoSha))).toBe(true);
    await agent.close();
  }, 60_000);
});
