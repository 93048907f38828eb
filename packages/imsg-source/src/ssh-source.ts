import { readFile } from 'node:fs/promises';
import { Client, type ClientChannel, type ConnectConfig, type SFTPWrapper } from 'ssh2';
import { SourceError } from './errors.js';
import { fingerprintOf, hostKeyAlgorithms, keyTypeOf, parseHostKeyPin, sameFingerprint, type HostKeyPin } from './host-key.js';
import { remoteArgv, remoteCommandLine } from './remote-command.js';
import { SftpFiles } from './sftp-files.js';
import type { ImsgProcess, SourceExit } from '@imsg-hub/agent';

export interface SshSourceOptions {
  host: string;
  port?: number;
  user: string;
  /** Private key for key auth (passwords are never used). */
  privateKeyFile: string;
  /** The Mac's host key: a known_hosts line, a public key line, or `SHA256:<base64>`. */
  hostKey: string;
  /** Remote argv (default `imsg rpc`); a string is split on whitespace. `--db` is appended when set. */
  remoteCommand?: string | readonly string[];
  db?: string;
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  readyTimeoutMs?: number;
  /** Where private temp dirs for outbound files go on the Mac (default /tmp). */
  remoteTempDir?: string;
}

interface Connection {
  client: Client;
  sftp?: Promise<SFTPWrapper>;
  closed: boolean;
}

/**
 * `imsg rpc` on a Mac over an SSH exec channel (ssh2), with the host key pinned. One connection
 * serves the exec channel and SFTP; it is opened on demand and again after it is lost.
 */
export class SshSource {
  readonly kind = 'ssh' as const;
  readonly description: string;
  readonly files: SftpFiles;
  readonly #options: SshSourceOptions;
  readonly #pin: HostKeyPin;
  readonly #command: string;
  readonly #running = new Set<SshImsgProcess>();
  #connection: Promise<Connection> | undefined;
  #closed = false;

  constructor(options: SshSourceOptions) {
    this.#options = options;
    this.#pin = parseHostKeyPin(options.hostKey);
    this.#command = remoteCommandLine(remoteArgv(options.remoteCommand, options.db));
    this.description = `ssh ${options.user}@${options.host}:${this.#port} ${this.#command}`;
    this.files = new SftpFiles(() => this.#sftp(), options.remoteTempDir ?? '/tmp');
  }

  get #port(): number {
    return this.#options.port ?? 22;
  }

  /** Opens the connection if needed and starts the remote command on a new exec channel. */
  async spawn(): Promise<ImsgProcess> {
    const conn = await this.#connect();
    const channel = await new Promise<ClientChannel>((resolve, reject) =>
      conn.client.exec(this.#command, (err, ch) =>
        err ? reject(new SourceError('SSH_CONNECT_FAILED', `the Mac refused to run '${this.#command}': ${err.message}`, {}, { cause: err })) : resolve(ch),
      ),
    );
    const proc = new SshImsgProcess(channel, conn.client);
    this.#running.add(proc);
    void proc.exited.then(() => this.#running.delete(proc));
    return proc;
  }

  /** Ends every channel and the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#running];
    for (const p of all) p.kill();
    const conn = await this.#connection?.catch(() => undefined);
    conn?.client.end();
    await Promise.all(all.map((p) => p.exited));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #connect(): Promise<Connection> {
    if (this.#closed) return Promise.reject(new SourceError('SSH_CONNECT_FAILED', 'the SSH source is closed'));
    if (this.#connection) return this.#connection;
    const pending = this.#open();
    this.#connection = pending;
    pending.then(
      (conn) => conn.client.once('close', () => this.#forget(pending)),
      () => this.#forget(pending),
    );
    return pending;
  }

  #forget(pending: Promise<Connection>): void {
    if (this.#connection === pending) this.#connection = undefined;
  }

  async #open(): Promise<Connection> {
    const { host, user, privateKeyFile } = this.#options;
    const port = this.#port;
    let privateKey: Buffer;
    try {
      privateKey = await readFile(privateKeyFile);
    } catch (err) {
      throw new SourceError(
        'SSH_KEY_UNREADABLE',
        `cannot read the SSH private key ${privateKeyFile}: ${(err as Error).message}. Check source.private_key_file.`,
        {},
        { cause: err },
      );
    }
    const client = new Client();
    const conn: Connection = { client, closed: false };
    let presented: { fingerprint: string; type: string | undefined } | undefined;
    const algorithms = hostKeyAlgorithms(this.#pin.keyType);
    const config: ConnectConfig = {
      host,
      port,
      username: user,
      privateKey,
      readyTimeout: this.#options.readyTimeoutMs ?? 20_000,
      keepaliveInterval: this.#options.keepaliveIntervalMs ?? 15_000,
      keepaliveCountMax: this.#options.keepaliveCountMax ?? 3,
      hostVerifier: (key: Buffer) => {
        presented = { fingerprint: fingerprintOf(key), type: keyTypeOf(key) };
        return sameFingerprint(presented.fingerprint, this.#pin.fingerprint);
      },
      ...(algorithms ? { algorithms: { serverHostKey: algorithms as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } } : {}),
    };
    // A persistent listener: ssh2 emits 'error' after 'ready' too (keepalive timeout, resets).
    client.on('error', () => undefined);
    client.once('close', () => {
      conn.closed = true;
    });
    await new Promise<void>((resolve, reject) => {
      client.once('ready', () => resolve());
      client.once('error', (err: Error & { level?: string }) => reject(this.#connectError(err, presented)));
      client.once('close', () => reject(new SourceError('SSH_CONNECT_FAILED', `SSH connection to ${host}:${port} closed during the handshake`)));
      client.connect(config);
    });
    return conn;
  }

  #connectError(err: Error & { level?: string }, presented: { fingerprint: string; type: string | undefined } | undefined): SourceError {
    const { host, user, privateKeyFile } = this.#options;
    const where = `${host}:${this.#port}`;
    if (presented && !sameFingerprint(presented.fingerprint, this.#pin.fingerprint)) {
      return new SourceError(
        'HOST_KEY_MISMATCH',
        `HOST_KEY_MISMATCH: the host key of ${where} does not match the pinned key: expected ${this.#pin.fingerprint}, presented ${presented.fingerprint}${presented.type ? ` (${presented.type})` : ''}. Refusing to connect. If the Mac's key really changed, check it on the Mac (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub) and update source.host_key.`,
        { expected: this.#pin.fingerprint, presented: presented.fingerprint, host, port: this.#port },
        { cause: err },
      );
    }
    if (err.level === 'client-authentication') {
      return new SourceError(
        'SSH_AUTH_FAILED',
        `the Mac ${where} refused key authentication for user '${user}': add the public key of ${privateKeyFile} to ~${user}/.ssh/authorized_keys on the Mac.`,
        { host, port: this.#port, user },
        { cause: err },
      );
    }
    return new SourceError('SSH_CONNECT_FAILED', `cannot connect to ${where} over SSH: ${err.message}`, { host, port: this.#port }, { cause: err });
  }

  async #sftp(): Promise<SFTPWrapper> {
    const conn = await this.#connect();
    conn.sftp ??= new Promise<SFTPWrapper>((resolve, reject) =>
      conn.client.sftp((err, sftp) =>
        err ? reject(new SourceError('FILE_ACCESS_FAILED', `the Mac refused an SFTP session: ${err.message}`, {}, { cause: err })) : resolve(sftp),
      ),
    );
    conn.sftp.catch(() => {
      conn.sftp = undefined;
    });
    return conn.sftp;
  }
}

/** One exec channel running imsg; its loss is reported exactly like a child's exit. */
class SshImsgProcess implements ImsgProcess {
  readonly stdin;
  readonly stdout;
  readonly stderr;
  readonly exited: Promise<SourceExit>;
  readonly #channel: ClientChannel;
  readonly #client: Client;
  #done = false;
  #killed = false;

  constructor(channel: ClientChannel, client: Client) {
    this.#channel = channel;
    this.#client = client;
    this.stdin = channel;
    this.stdout = channel;
    this.stderr = channel.stderr;
    channel.on('error', () => undefined);
    channel.stderr.on('error', () => undefined);
    let status: { code: number | null; signal: string | null } | undefined;
    this.exited = new Promise((resolve) => {
      const finish = (): void => {
        if (this.#done) return;
        this.#done = true;
        client.off('close', finish);
        if (status) resolve(status);
        else if (this.#killed) resolve({ code: null, signal: 'SIGKILL' });
        else resolve({ code: null, signal: null, error: new SourceError('CHANNEL_LOST', 'the SSH channel closed without an exit status (connection lost)') });
      };
      // The exit status settles it at once: 'close' waits until the reader drained the output.
      channel.on('exit', (code: number | null, signal?: string) => {
        status = { code: typeof code === 'number' ? code : null, signal: signal ? `SIG${signal}` : null };
        finish();
      });
      channel.once('close', finish);
      client.once('close', finish);
    });
  }

  kill(): void {
    if (this.#done) return;
    this.#killed = true;
    try {
      this.#channel.signal('KILL');
    } catch {
      // not every server honours signals; closing the channel ends it anyway
    }
    this.#channel.close();
    // OpenSSH neither honours every signal request nor kills a session's command when its channel
    // closes; dropping the connection closes the command's pipes (imsg exits on stdin EOF) and
    // settles `exited`. The next spawn dials again.
    this.#client.end();
  }
}
