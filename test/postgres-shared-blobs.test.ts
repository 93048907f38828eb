import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import {
  AgentProcess,
  exampleWorld,
  postgresAvailable,
  simAttachmentsRoot,
  simSource,
  startHubProcess,
  startPostgres,
  tempDir,
  waitFor,
} from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const expand = (p: string) => (p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);

// Two hubs on one PostgreSQL database, each with its own data dir: an attachment one hub received is
// served by the other, and a file uploaded to one is sent by an agent linked to the other.
describe.skipIf(!postgresAvailable() && !process.env['CI'])('two hubs share attachments', () => {
  it('serves an inbound photo from either hub, and sends a file uploaded to the hub the agent is not on', async () => {
    await using tmp = tempDir('shared-blobs-');
    await using pg = await startPostgres();
    const url = await pg.createDatabase('fleet');
    const world = exampleWorld(tmp.join('world.json'), ['alice', 'bob']);
    try {
      const config = { accounts: { alice: { handles: ['alice@example.com'] } } };
      await using hubA = await startHubProcess({ dir: tmp.join('hub-a'), config, store: { url } });
      await using hubB = await startHubProcess({ dir: tmp.join('hub-b'), config, store: { url } });
      const clientToken = await hubA.token('client', '*');
      // alice's agent knows only hub A.
      await using agent = new AgentProcess({
        dir: tmp.join('agent-alice'),
        hubUrl: hubA.url,
        token: await hubA.token('agent', ['alice']),
        accounts: [{ name: 'alice', source: simSource(world.info('alice').dbPath), attachments_root: simAttachmentsRoot(world.info('alice').dbPath) }],
        config: { debounce_ms: 20 },
      });
      agent.start();
      await using onB = await HubClient.connect({ url: hubB.url, token: clientToken });
      const seen: HubMessage[] = [];
      await onB.watch({ since: 0 }, (m) => seen.push(m));

      // In: received through hub A, fetched from hub B (API and HTTP), byte for byte.
      const photo = randomBytes(200 * 1024);
      writeFileSync(tmp.join('IMG_0002.jpg'), photo);
      world.inject({ account: 'alice', from: '+14155550100', text: 'a photo', file: tmp.join('IMG_0002.jpg') });
      const inbound = await waitFor(() => seen.find((m) => m.text === 'a photo' && m.attachments[0]?.blob_state === 'stored'), 30_000);
      const blob = inbound.attachments[0]!.blob!;
      expect(blob).toBe(sha(photo));
      expect(sha(await onB.download(blob))).toBe(sha(photo));
      const http = await fetch(`${hubB.httpUrl}blobs/${blob}`, { headers: { authorization: `Bearer ${clientToken}` } });
      expect(http.status).toBe(200);
      expect(sha(Buffer.from(await http.arrayBuffer()))).toBe(sha(photo));

      // Out: uploaded to hub B; the send goes through hub A (alice's agent), which fetches the bytes.
      const doc = randomBytes(150 * 1024);
      const up = await onB.upload(doc, 'notes.pdf');
      const sent = await onB.call('send', {
        target: 'alice/bob@example.com',
        text: 'the notes',
        file: { sha256: up.sha256, name: 'notes.pdf' },
        wait_ms: 20_000,
      });
      expect(sent).toMatchObject({ state: 'sent', account: 'alice' });
      const out = world
        .account('alice')
        .outgoingRows()
        .find((r) => r.attachments.length > 0)!;
      expect(out.attachments[0]!.transferName).toBe('notes.pdf');
      expect(sha(readFileSync(expand(out.attachments[0]!.filename)))).toBe(sha(doc));
    } finally {
      world.close();
    }
  }, 90_000);
});
