import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HUB_ERROR_CODES, HubError } from '@imsg-hub/hub-protocol';
import { binPath, FakeHub, PEER_HANDLE, runAgentProcess, SimAccount, simAttachmentsRoot, tempDir, waitFor, writeAgentConfig } from '@imsg-hub/testkit';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';

// Issue 10, point 4: whoever controls the hub cannot make an agent read a file on the Mac. A real
// imsg-agent process over imsg-sim, driven by a hostile hub (the hub stand-in): sends naming local
// paths are refused before imsg sees them, and imsg rows naming files outside the Messages
// attachments root are forwarded without their bytes.

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const source = (db: string) => ({ kind: 'local', cli_path: binPath('imsg-sim'), db, args: ['--poll-ms', '50'] });

/** Points the attachment of the row with this text at another path, as a tampered chat.db would. */
function repoint(db: string, text: string, path: string): void {
  const d = new Database(db);
  try {
    d.prepare(
      'UPDATE attachment SET filename = ? WHERE ROWID IN (SELECT j.attachment_id FROM message_attachment_join j JOIN message m ON m.ROWID = j.message_id WHERE m.text = ?)',
    ).run(path, text);
  } finally {
    d.close();
  }
}

describe('hardening: what the agent reads from the Mac', () => {
  it('(4) a send naming a local path is refused unless it lies under attachments.outbound_dir', async () => {
    await using dir = tempDir('hard-agent-send-');
    const sim = new SimAccount(dir.path);
    const secret = randomBytes(64);
    writeFileSync(dir.join('secret.key'), secret);
    await using hub = await FakeHub.start();
    const account = { name: 'alice', source: source(sim.db), attachments_root: simAttachmentsRoot(sim.db) };
    let n = 0;
    const dispatch = (params: Record<string, unknown>) => hub.dispatch({ key: `k${++n}`, account: 'alice', params: { to: PEER_HANDLE, ...params } });
    {
      // No outbound_dir (the default): no path is ever sent, whatever the param is called.
      await using agent = runAgentProcess(writeAgentConfig(dir.path, hub.url, [account]));
      await waitFor(() => hub.connected && hub.states.some((s) => s.state === 'running'), 15_000);
      for (const params of [
        { text: 'leak', file: dir.join('secret.key') },
        { text: 'leak', path: dir.join('secret.key') },
        { text: 'leak', parts: [{ attachment: dir.join('secret.key') }] },
        { text: 'leak', filePath: '~/../../etc/passwd' },
      ]) {
        const outcome = await dispatch(params);
        expect(outcome).toMatchObject({ status: 'failed', error: { code: HUB_ERROR_CODES.LOCAL_PATH_REFUSED, data: { code: 'LOCAL_PATH_REFUSED' } } });
        expect(outcome.status === 'failed' && outcome.error.message).toContain('attachments.outbound_dir');
      }
      // A redelivered key gets the same refusal; nothing reached imsg.
      expect(await hub.dispatch({ key: 'k1', account: 'alice', params: { to: PEER_HANDLE, text: 'leak', file: dir.join('secret.key') } })).toMatchObject({
        status: 'failed',
        error: { code: HUB_ERROR_CODES.LOCAL_PATH_REFUSED },
      });
      expect(sim.countOutgoing()).toBe(0);
      // A plain text send still goes.
      expect(await dispatch({ text: 'hello' })).toMatchObject({ status: 'sent' });
      // Pass-through calls take no files: one naming a path is refused too.
      const call = await hub.imsgCall('alice', 'typing', { to: PEER_HANDLE, file: dir.join('secret.key') }).catch((e: unknown) => e);
      expect(HubError.from(call)?.hubCode).toBe('LOCAL_PATH_REFUSED');
      agent.kill('SIGTERM');
      await agent.exited;
    }
    {
      // With outbound_dir: files under it (by real path) go; a symlink or .. out of it does not.
      const outbound = dir.join('outbound');
      mkdirSync(outbound);
      const doc = randomBytes(2048);
      writeFileSync(join(outbound, 'doc.pdf'), doc);
      symlinkSync(dir.join('secret.key'), join(outbound, 'innocent.pdf'));
      const config = writeAgentConfig(dir.path, hub.url, [account], { attachments: { outbound_dir: outbound } });
      const before = hub.states.length;
      await using agent = runAgentProcess(config);
      await waitFor(() => hub.connected && hub.hellos === 2 && hub.states.slice(before).some((s) => s.state === 'running'), 15_000);
      expect(await dispatch({ text: 'the doc', file: join(outbound, 'doc.pdf') })).toMatchObject({ status: 'sent' });
      for (const file of [join(outbound, 'innocent.pdf'), join(outbound, '..', 'secret.key'), join(outbound, 'nothing-here.pdf')]) {
        const outcome = await dispatch({ text: 'leak', file });
        expect(outcome).toMatchObject({ status: 'failed', error: { code: HUB_ERROR_CODES.LOCAL_PATH_REFUSED } });
        expect(outcome.status === 'failed' && outcome.error.message).toContain(`under attachments.outbound_dir (${outbound})`);
      }
      const files = sim.outgoingFiles();
      expect(files).toHaveLength(1);
      expect(sha(readFileSync(files[0]!.filename.replace(/^~/, process.env['HOME'] ?? '')))).toBe(sha(doc));
      agent.kill('SIGTERM');
      await agent.exited;
    }
    expect(sim.countOutgoing('leak')).toBe(0);
    sim.close();
  }, 60_000);

  it('(4) only attachments whose real path lies under attachments_root are uploaded; the others arrive without bytes', async () => {
    await using dir = tempDir('hard-agent-upload-');
    const sim = new SimAccount(dir.path);
    const root = simAttachmentsRoot(sim.db);
    const secret = randomBytes(64);
    writeFileSync(dir.join('secret.key'), secret);
    const photo = randomBytes(4096);
    writeFileSync(dir.join('photo.jpg'), photo);
    // Four rows, each with a file Messages stored; three are then pointed elsewhere.
    sim.inject(
      { text: 'photo', file: dir.join('photo.jpg') },
      { text: 'outside', file: dir.join('photo.jpg') },
      { text: 'dotdot', file: dir.join('photo.jpg') },
      { text: 'symlink', file: dir.join('photo.jpg') },
    );
    repoint(sim.db, 'outside', dir.join('secret.key'));
    repoint(sim.db, 'dotdot', join(root, '..', 'secret.key'));
    symlinkSync(dir.join('secret.key'), join(root, 'link.jpg'));
    repoint(sim.db, 'symlink', join(root, 'link.jpg'));
    await using hub = await FakeHub.start();
    await using agent = runAgentProcess(writeAgentConfig(dir.path, hub.url, [{ name: 'alice', source: source(sim.db), attachments_root: root }]));
    await waitFor(() => hub.rows('alice').length === 4, 15_000);
    const byText = new Map(hub.rows('alice').map((r) => [r.message.text, r]));
    expect(byText.get('photo')!.blobs).toEqual([{ index: 0, state: 'stored', sha256: sha(photo), size: photo.length }]);
    for (const text of ['outside', 'dotdot', 'symlink']) expect(byText.get(text)!.blobs).toEqual([{ index: 0, state: 'failed' }]);
    expect([...hub.blobs.keys()]).toEqual([sha(photo)]);
    // Each refusal is a warning that names the rule, not the file.
    const log = `${agent.lines.join('\n')}\n${agent.stderr}`.split('\n');
    const warnings = log.filter((l) => l.includes('outside the account') && JSON.parse(l).level === 40);
    expect(warnings).toHaveLength(3);
    for (const w of warnings) expect(w).not.toContain('secret.key');
    sim.close();
  }, 60_000);
});
