import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const SSHD = '/usr/sbin/sshd';
const run = promisify(execFile);

/** A real OpenSSH sshd on 127.0.0.1, for the current user, with throwaway host and client keys. */
export interface SshdServer extends AsyncDisposable {
  readonly host: '127.0.0.1';
  readonly port: number;
  /** known_hosts line for the server: `[127.0.0.1]:<port> ssh-ed25519 AAAA...`. */
  readonly hostKeyLine: string;
  /** `SHA256:...` of the host key, as `ssh-keygen -l` prints it. */
  readonly hostKeyFingerprint: string;
  /** Private key the server accepts (no passphrase). */
  readonly clientKeyPath: string;
  readonly user: string;
  /** What sshd logged so far (`-e`), for failure messages. */
  readonly log: () => string;
  close(): Promise<void>;
}

/** Starts sshd; throws a clear error when OpenSSH server is not installed. */
export async function startSshd(): Promise<SshdServer> {
  if (!existsSync(SSHD)) {
    throw new Error(`OpenSSH server not found at ${SSHD}: install it (apt-get install openssh-server) to run the SSH tests`);
  }
  // sshd running as root needs its privilege-separation directory.
  if (process.getuid?.() === 0 && !existsSync('/run/sshd')) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'imsg-sshd-'));
  try {
    const hostKey = join(dir, 'host_ed25519');
    const clientKey = join(dir, 'client_ed25519');
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'imsg-test-host', '-f', hostKey]);
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'imsg-test-client', '-f', clientKey]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(`${clientKey}.pub`), { mode: 0o600 });
    const [type, blob] = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(/\s+/);
    const fingerprint = `SHA256:${createHash('sha256').update(Buffer.from(blob!, 'base64')).digest('base64').replace(/=+$/, '')}`;
    // A port found free may be taken before sshd binds it: try a few.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const server = await launch(dir, port, hostKey).catch((err: Error) => {
        if (attempt >= 5) throw err;
        return undefined;
      });
      if (!server) continue;
      const sshd: SshdServer = {
        host: '127.0.0.1',
        port,
        hostKeyLine: `[127.0.0.1]:${port} ${type} ${blob}`,
        hostKeyFingerprint: fingerprint,
        clientKeyPath: clientKey,
        user: userInfo().username,
        log: server.log,
        close: async () => {
          await server.stop();
          rmSync(dir, { recursive: true, force: true });
        },
        [Symbol.asyncDispose]: () => sshd.close(),
      };
      return sshd;
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

async function launch(dir: string, port: number, hostKey: string): Promise<{ stop: () => Promise<void>; log: () => string }> {
  const config = join(dir, `sshd_config.${port}`);
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      `PidFile ${join(dir, `sshd.${port}.pid`)}`,
      'Subsystem sftp internal-sftp',
      'AllowTcpForwarding no',
      'X11Forwarding no',
      'LogLevel INFO',
      '',
    ].join('\n'),
  );
  const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-20_000);
  });
  let exited = false;
  // 'exit', not 'close': per-connection sshd children inherit stderr and may outlive the listener.
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );
  child.once('error', () => undefined);
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exit;
    clearTimeout(timer);
  };
  const deadline = Date.now() + 10_000;
  while (!(await acceptsSsh(port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`sshd did not start on 127.0.0.1:${port}: ${log.trim() || 'no output'}`);
    }
    await sleep(50);
  }
  return { stop, log: () => log };
}

/** True when something on the port answers with an SSH banner. */
function acceptsSsh(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk: Buffer) => done(chunk.toString('latin1').startsWith('SSH-')));
  });
}
