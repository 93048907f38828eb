import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import type { ImsgAttachment, ImsgMessage } from '@imsg-hub/imsg-protocol';
import { LocalFiles } from '@imsg-hub/imsg-source';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
// The uploader is the agent core's; LocalFiles (imsg-source) is the file access it runs with.
import { AttachmentUploader } from '../../packages/agent/src/attachment-uploader.js';
import { PathGuard } from '../../packages/agent/src/path-guard.js';
import { FakeHub, tempDir } from '@imsg-hub/testkit';

async function hubPeer(hub: FakeHub): Promise<Peer & AsyncDisposable> {
  const socket = new WebSocket(hub.url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const peer = new Peer(new WebSocketTransport(socket));
  await peer.request('hello', { protocol: 1, role: 'agent', token: 't', agent: { id: 'x', version: '0' }, accounts: ['alice'] });
  return Object.assign(peer, { [Symbol.asyncDispose]: () => peer.close() });
}

function message(attachments: Partial<ImsgAttachment>[]): ImsgMessage {
  return {
    id: 1,
    chat_id: 1,
    guid: 'G',
    sender: '+1',
    is_from_me: false,
    text: '',
    created_at: '2026-01-01T00:00:00.000Z',
    reactions: [],
    chat_identifier: '+1',
    chat_guid: 'iMessage;-;+1',
    chat_name: '',
    participants: ['+1'],
    is_group: false,
    attachments: attachments.map((a) => ({
      filename: '',
      transfer_name: 'f.bin',
      uti: 'public.data',
      mime_type: 'application/octet-stream',
      total_bytes: 0,
      is_sticker: false,
      original_path: '',
      missing: false,
      ...a,
    })),
  };
}

const uploader = (waitMs: number) =>
  new AttachmentUploader({
    files: new LocalFiles(),
    maxBytes: 1000,
    waitMs,
    pollMs: 20,
    // The test's files live in temp dirs: the temp root stands in for the Messages attachments root.
    root: new PathGuard(new LocalFiles(), tmpdir()),
    log: pino({ level: 'silent' }),
  });

describe('AttachmentUploader', () => {
  it('waits for a live row’s file to appear and finish growing, then uploads all of it', async () => {
    await using dir = tempDir('agent-test-');
    await using hub = await FakeHub.start();
    await using peer = await hubPeer(hub);
    const path = join(dir.path, 'late.bin');
    const full = Buffer.alloc(600, 1);
    setTimeout(() => writeFileSync(path, full.subarray(0, 10)), 100);
    setTimeout(() => writeFileSync(path, full), 300);
    const blobs = await uploader(10_000).blobsFor(message([{ original_path: path, total_bytes: 600 }]), peer, true);
    const sha256 = createHash('sha256').update(full).digest('hex');
    expect(blobs).toEqual([{ index: 0, state: 'stored', sha256, size: 600 }]);
    expect(hub.blobs.get(sha256)?.equals(full)).toBe(true);
  });

  it('records missing after the bounded wait, and does not wait for replayed rows', async () => {
    await using dir = tempDir('agent-test-');
    await using hub = await FakeHub.start();
    await using peer = await hubPeer(hub);
    const gone = message([{ original_path: join(dir.path, 'never.bin'), total_bytes: 5 }, { original_path: '' }]);
    expect(await uploader(200).blobsFor(gone, peer, true)).toEqual([
      { index: 0, state: 'missing' },
      { index: 1, state: 'missing' },
    ]);
    expect(await uploader(60_000).blobsFor(gone, peer, false)).toEqual([
      { index: 0, state: 'missing' },
      { index: 1, state: 'missing' },
    ]);
  });

  it('refuses files over max_bytes without uploading', async () => {
    await using dir = tempDir('agent-test-');
    await using hub = await FakeHub.start();
    await using peer = await hubPeer(hub);
    const path = join(dir.path, 'big.bin');
    writeFileSync(path, Buffer.alloc(1001));
    expect(await uploader(0).blobsFor(message([{ original_path: path, total_bytes: 0 }]), peer, false)).toEqual([{ index: 0, state: 'too_large', size: 1001 }]);
    expect(await uploader(0).blobsFor(message([{ original_path: path, total_bytes: 5000 }]), peer, true)).toEqual([
      { index: 0, state: 'too_large', size: 5000 },
    ]);
    expect(hub.blobs.size).toBe(0);
    expect(await uploader(0).blobsFor(message([]), peer, true)).toBeUndefined();
  });
});
