import { statSync } from 'node:fs';
import { join } from 'node:path';
import { LineStreamTransport } from '@imsg-hub/jsonrpc';
import { ImsgClient, type ImsgMessage } from '@imsg-hub/imsg-protocol';
import { SourceError, SshSource, type SshSourceOptions } from '@imsg-hub/imsg-source';
import { binPath, SimAccount, type SshdServer, startSshd, tempDir, waitFor } from '@imsg-hub/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// SshSource against a real OpenSSH sshd on loopback, running imsg-sim on the "Mac" side.

let sshd: SshdServer;
beforeAll(async () => {
  sshd = await startSshd();
});
afterAll(async () => {
  await sshd?.close();
});

function options(extra: Partial<SshSourceOptions> = {}): SshSourceOptions {
  return {
    host: '127.0.0.1',
    port: sshd.port,
    user: sshd.user,
    privateKeyFile: sshd.clientKeyPath,
    hostKey: sshd.hostKeyLine,
    // sshd gives the remote command a minimal PATH: absolute node and script.
    remoteCommand: [process.execPath, binPath('imsg-sim'), 'rpc', '--poll-ms', '50'],
    keepaliveIntervalMs: 1000,
    ...extra,
  };
}

describe('SshSource over a real sshd', () => {
  it('runs imsg remotely: chats.list answers and a new row arrives on the watch', async () => {
    await using dir = tempDir('ssh-source-');
    const sim = new SimAccount(dir.path);
    sim.injectTexts(1, 'before');
    await using source = new SshSource(options({ db: sim.db }));
    const proc = await source.spawn();
    const client = new ImsgClient(new LineStreamTransport(proc.stdout, proc.stdin));
    const { chats } = await client.chatsList(5);
    expect(chats).toHaveLength(1);
    const seen: ImsgMessage[] = [];
    await client.subscribe({ since_rowid: -1, debounce_ms: 0 }, { message: (m) => seen.push(m) });
    await waitFor(() => seen.length === 1, 10_000);
    const [rowid] = sim.inject({ text: 'over ssh' });
    await waitFor(() => seen.length === 2, 10_000);
    expect(seen[1]).toMatchObject({ id: rowid, text: 'over ssh', is_from_me: false });
    // EOF on the channel ends imsg, reported like a child's exit.
    await client.close();
    expect(await proc.exited).toEqual({ code: 0, signal: null });
    sim.close();
  });

  it('accepts a bare SHA256 fingerprint pin', async () => {
    await using source = new SshSource(options({ hostKey: sshd.hostKeyFingerprint, remoteCommand: ['true'] }));
    const proc = await source.spawn();
    expect(await proc.exited).toEqual({ code: 0, signal: null });
  });

  it('refuses a host key that does not match the pin, showing both fingerprints', async () => {
    const wrong = 'SHA256:' + 'x'.repeat(43);
    await using source = new SshSource(options({ hostKey: wrong }));
    const err = await source.spawn().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe('HOST_KEY_MISMATCH');
    expect((err as Error).message).toContain(`expected ${wrong}`);
    expect((err as Error).message).toContain(`presented ${sshd.hostKeyFingerprint}`);
  });

  it('reports a refused key clearly', async () => {
    await using dir = tempDir('ssh-key-');
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir.path, 'other')]);
    await using source = new SshSource(options({ privateKeyFile: join(dir.path, 'other') }));
    const err = await source.spawn().catch((e: unknown) => e);
    expect((err as SourceError).code).toBe('SSH_AUTH_FAILED');
    expect((err as Error).message).toContain('authorized_keys');
  });

  it('reports a killed channel like a killed child, and reconnects for the next spawn', async () => {
    // `cat` stands for imsg: it reads stdin and exits on EOF.
    await using source = new SshSource(options({ remoteCommand: ['cat'] }));
    const first = await source.spawn();
    first.kill();
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });
    const second = await source.spawn();
    second.stdin.end();
    expect(await second.exited).toEqual({ code: 0, signal: null });
  });

  it('reads files and writes private temp files over SFTP', async () => {
    await using dir = tempDir('ssh-sftp-');
    await using source = new SshSource(options({ remoteTempDir: dir.path }));
    const bytes = Buffer.from('attachment bytes over sftp');
    const temp = await source.files.writeTemp('photo 1.jpg', bytes);
    expect(temp.path.startsWith(dir.path + '/imsg-agent-')).toBe(true);
    expect(temp.path.endsWith('/photo 1.jpg')).toBe(true);
    expect(statSync(join(temp.path, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(temp.path).mode & 0o777).toBe(0o600);
    expect(await source.files.size(temp.path)).toBe(bytes.length);
    expect(await source.files.read(temp.path, 1000)).toEqual({ state: 'ok', bytes });
    expect(await source.files.read(temp.path, 5)).toEqual({ state: 'too_large', size: bytes.length });
    await temp.remove();
    expect(await source.files.read(temp.path, 1000)).toEqual({ state: 'missing' });
    expect(await source.files.size(join(temp.path, '..'))).toBeUndefined();
  });
});
