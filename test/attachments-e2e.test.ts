import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HubClient } from '@imsg-hub/hub-client';
import { HubError, type HubMessage } from '@imsg-hub/hub-protocol';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const expand = (p: string) => (p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);
const LIMIT = 1024 * 1024;

// Issue 4 "Done when" 3: attachments both ways arrive byte-identical (sha256); an oversize file is
// refused with a clear error and nothing half-written stays behind.
describe('attachments end to end', () => {
  it('in and out byte-identical; oversize refused both ways with nothing left behind', async () => {
    await using tmp = tempDir('attach-');
    const agentTmp = tmp.join('agent-tmp');
    mkdirSync(agentTmp);
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: ['alice@example.com'], via: 'local' },
        { name: 'bob', handles: ['bob@example.com'], via: 'local' },
      ],
      hubConfig: { send: { max_file_bytes: LIMIT } },
      agentConfig: { attachments: { max_bytes: LIMIT, wait_ms: 2000 } },
      agentEnv: { TMPDIR: agentTmp },
    });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken });
    const seen: HubMessage[] = [];
    await client.watch({ since: 0 }, (m) => seen.push(m));

    // In: a photo received on alice's Mac reaches the hub's blob store, fetched over the API and HTTP.
    const photo = randomBytes(300 * 1024);
    writeFileSync(tmp.join('IMG_0001.jpg'), photo);
    const big = randomBytes(LIMIT + 1);
    writeFileSync(tmp.join('huge.mov'), big);
    fleet.world.inject({ account: 'alice', from: '+14155550100', text: 'look', file: tmp.join('IMG_0001.jpg') });
    fleet.world.inject({ account: 'alice', from: '+14155550100', text: 'too big', file: tmp.join('huge.mov') });
    const inbound = await waitFor(() => seen.find((m) => m.text === 'look'), 20_000);
    const att = inbound.attachments[0]!;
    expect(att).toMatchObject({ transfer_name: 'IMG_0001.jpg', blob_state: 'stored', blob: sha(photo) });
    expect(sha(await client.download(att.blob!))).toBe(sha(photo));
    const http = await fetch(`${fleet.hub.httpUrl}blobs/${att.blob}`, { headers: { authorization: `Bearer ${fleet.clientToken}` } });
    expect(http.status).toBe(200);
    expect(sha(Buffer.from(await http.arrayBuffer()))).toBe(sha(photo));
    expect((await fetch(`${fleet.hub.httpUrl}blobs/${att.blob}`)).status).toBe(401);
    const tooBig = await waitFor(() => seen.find((m) => m.text === 'too big'), 20_000);
    expect(tooBig.attachments[0]).toMatchObject({ blob_state: 'too_large' });
    expect(tooBig.attachments[0]!.blob).toBeUndefined();

    // Out: a file uploaded through the hub is sent by alice and lands, identical, at bob.
    const doc = randomBytes(200 * 1024);
    writeFileSync(tmp.join('report.pdf'), doc);
    const sent = await fleet.hub.cli([
      'send',
      'alice/bob@example.com',
      '--file',
      tmp.join('report.pdf'),
      '--text',
      'the report',
      '--token',
      fleet.clientToken,
      '--json',
    ]);
    expect(sent.code, sent.stderr).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ state: 'sent', account: 'alice' });
    const outRow = fleet.world
      .account('alice')
      .outgoingRows()
      .find((r) => r.attachments.length > 0)!;
    expect(outRow.attachments[0]!.transferName).toBe('report.pdf');
    expect(sha(readFileSync(expand(outRow.attachments[0]!.filename)))).toBe(sha(doc));
    const atBob = fleet.world
      .account('bob')
      .incomingRows()
      .find((r) => r.attachments.length > 0)!;
    expect(sha(readFileSync(expand(atBob.attachments[0]!.filename)))).toBe(sha(doc));
    // The agent's private temp copy is gone once imsg has it.
    expect(readdirSync(agentTmp)).toEqual([]);

    // Oversize out: refused by the CLI before upload, and by the hub at upload.begin.
    writeFileSync(tmp.join('big.bin'), big);
    const refused = await fleet.hub.cli(['send', 'alice/bob@example.com', '--file', tmp.join('big.bin'), '--token', fleet.clientToken]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`is ${big.length} bytes; the hub accepts at most ${LIMIT}`);
    const direct = HubError.from(await client.upload(big, 'big.bin').catch((e: unknown) => e));
    expect(direct?.hubCode).toBe('PAYLOAD_TOO_LARGE');
    expect(direct?.message).toContain(`exceeds the hub's limit of ${LIMIT} bytes`);
    // Nothing half-written in the hub's store: only the two complete blobs, no upload leftovers.
    const blobs = readdirSync(join(fleet.hub.dataDir, 'blobs'), { recursive: true, withFileTypes: true })
      .filter((d) => d.isFile())
      .map((d) => d.name);
    expect(blobs.sort()).toEqual([sha(photo), sha(doc)].sort());
    expect(readdirSync(join(fleet.hub.dataDir, 'uploads'))).toEqual([]);
    expect(
      fleet.world
        .account('alice')
        .outgoingRows()
        .filter((r) => r.attachments.length > 0),
    ).toHaveLength(1);
  }, 90_000);
});
