import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { NdjsonDecoder } from '@imsg-hub/jsonrpc';
import { binPath } from './bin-path.js';

const run = promisify(execFile);

export interface HubProcessOptions {
  /** Folder for the hub's data dir and config file. */
  dir: string;
  /** Hub config (merged over a loopback, port-0 default). */
  config?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  /** A PostgreSQL database for the hub's state (shared by hubs given the same URL); default SQLite in the data dir. */
  store?: { url: string };
}

/**
 * A real `imsg-hub serve` child on 127.0.0.1. `kill()` is a kill -9; `start()` brings it back on the
 * same port with the same data dir, so agents and clients reconnect to the same URL.
 */
export class HubProcess implements AsyncDisposable {
  readonly dir: string;
  readonly dataDir: string;
  readonly configPath: string;
  #config: Record<string, unknown>;
  #env: NodeJS.ProcessEnv;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #port = 0;
  #scheme = 'ws';
  #storeUrl: string | undefined;
  stderr = '';
  /** Lines the hub has written to stderr (its log) since this object was made, across restarts. */
  stderrLines = 0;

  constructor(options: HubProcessOptions) {
    this.dir = options.dir;
    this.dataDir = join(options.dir, 'hub-data');
    this.configPath = join(options.dir, 'hub.json');
    this.#config = options.config ?? {};
    this.#env = options.env ?? process.env;
    if (options.store) this.useStore(options.store.url);
    mkdirSync(this.dataDir, { recursive: true });
  }

  get port(): number {
    return this.#port;
  }
  get url(): string {
    return `${this.#scheme}://127.0.0.1:${this.#port}/`;
  }
  get httpUrl(): string {
    return `${this.#scheme === 'wss' ? 'https' : 'http'}://127.0.0.1:${this.#port}/`;
  }
  get pid(): number | undefined {
    return this.#child?.pid;
  }
  /** The PostgreSQL database the hub keeps its state in (undefined on SQLite). */
  get storeUrl(): string | undefined {
    return this.#storeUrl;
  }

  /** Keeps the hub's state (and what its CLI commands open) in this PostgreSQL database from the next start. */
  useStore(url: string): void {
    this.#storeUrl = url;
    this.#env = { ...this.#env, IMSG_HUB_STORE_URL: url };
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** Starts (or restarts) the hub and resolves once it is listening. */
  async start(): Promise<void> {
    if (this.running) return;
    const config = { ...this.#config, data_dir: this.dataDir, listen: { host: '127.0.0.1', port: this.#port } };
    writeFileSync(this.configPath, JSON.stringify(config, null, 2));
    const child = spawn(process.execPath, [binPath('imsg-hub'), 'serve', '--config', this.configPath], {
      env: { ...this.#env, LOG_LEVEL: this.#env['LOG_LEVEL'] ?? 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.stderr!.on('data', (c: Buffer) => {
      for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) this.stderrLines++;
      this.stderr = (this.stderr + c.toString()).slice(-20_000);
    });
    const listening = await new Promise<{ listening: string }>((resolve, reject) => {
      const decoder = new NdjsonDecoder({
        onLine: (line) => {
          try {
            resolve(JSON.parse(line) as { listening: string });
          } catch {
            /* not the ready line */
          }
        },
      });
      child.stdout!.on('data', (c: Buffer) => decoder.push(c));
      child.once('close', (code) => reject(new Error(`imsg-hub exited (${code}) before listening: ${this.stderr}`)));
      setTimeout(() => reject(new Error(`imsg-hub did not listen within 15 s: ${this.stderr}`)), 15_000).unref();
    });
    const url = new URL(listening.listening);
    this.#port = Number(url.port);
    this.#scheme = url.protocol === 'wss:' ? 'wss' : 'ws';
  }

  /** kill -9, and wait until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.#child!.kill(signal);
    await this.#exited;
  }

  /** Creates a token with the CLI, as a user would. */
  async token(role: 'agent' | 'client', accounts: string[] | '*', label?: string): Promise<string> {
    const args = [
      binPath('imsg-hub'),
      'token',
      'create',
      '--data-dir',
      this.dataDir,
      '--role',
      role,
      '--accounts',
      accounts === '*' ? '*' : accounts.join(','),
      '--json',
    ];
    if (label) args.push('--label', label);
    const { stdout } = await run(process.execPath, args, { env: this.#env });
    return (JSON.parse(stdout) as { token: string }).token;
  }

  /** Runs any imsg-hub CLI command against this hub; resolves with stdout/stderr and the exit code. */
  async cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; code: number }> {
    try {
      const r = await run(process.execPath, [binPath('imsg-hub'), ...args], {
        env: { ...this.#env, IMSG_HUB_URL: this.url, ...env },
        maxBuffer: 64 * 1024 * 1024,
      });
      return { stdout: r.stdout, stderr: r.stderr, code: 0 };
    } catch (err) {
      const e = err as { stdout?: string; stderr?: string; code?: number };
      return { stdout: e.stdout ?? '', stderr: e.stderr ?? '', code: typeof e.code === 'number' ? e.code : 1 };
    }
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.kill('SIGKILL');
  }
}

/** Starts a hub process in `dir`. */
export async function startHubProcess(options: HubProcessOptions): Promise<HubProcess> {
  const hub = new HubProcess(options);
  await hub.start();
  return hub;
}
