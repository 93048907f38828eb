import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { SourceError } from './errors.js';
import { LocalFiles } from './local-files.js';
import type { ImsgProcess, SourceExit } from '@imsg-hub/agent';

export interface LocalSourceOptions {
  /** The imsg executable (default `imsg`, found on PATH). */
  cliPath?: string;
  /** chat.db path passed as `--db`. */
  db?: string;
  /** Extra arguments after `rpc [--db PATH]`. */
  args?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** Where private temp dirs for outbound files go (default the OS temp dir). */
  tempRoot?: string;
}

/** `imsg rpc` as a child process on this machine: argv only, never a shell. */
export class LocalSource {
  readonly kind = 'local' as const;
  readonly description: string;
  readonly files: LocalFiles;
  readonly #cliPath: string;
  readonly #argv: string[];
  readonly #env: NodeJS.ProcessEnv | undefined;
  readonly #running = new Set<LocalImsgProcess>();

  constructor(options: LocalSourceOptions = {}) {
    this.#cliPath = options.cliPath ?? 'imsg';
    this.#argv = ['rpc', ...(options.db ? ['--db', options.db] : []), ...(options.args ?? [])];
    this.#env = options.env;
    this.files = new LocalFiles(options.tempRoot);
    this.description = `local ${this.#cliPath} ${this.#argv.join(' ')}`;
  }

  /** Starts one imsg; rejects with SOURCE_NOT_FOUND / SOURCE_NOT_EXECUTABLE when it cannot run at all. */
  async spawn(): Promise<ImsgProcess> {
    const child = spawn(this.#cliPath, this.#argv, {
      stdio: ['pipe', 'pipe', 'pipe'],
      shell: false,
      ...(this.#env ? { env: this.#env } : {}),
    });
    const proc = new LocalImsgProcess(child, this.#cliPath);
    await proc.started;
    this.#running.add(proc);
    void proc.exited.then(() => this.#running.delete(proc));
    return proc;
  }

  /** Kills every child still running. */
  async close(): Promise<void> {
    const all = [...this.#running];
    for (const p of all) p.kill();
    await Promise.all(all.map((p) => p.exited));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

class LocalImsgProcess implements ImsgProcess {
  readonly stdin;
  readonly stdout;
  readonly stderr;
  readonly exited: Promise<SourceExit>;
  readonly started: Promise<void>;
  readonly pid: number | undefined;
  readonly #child: ChildProcessWithoutNullStreams;
  #done = false;

  constructor(child: ChildProcessWithoutNullStreams, cliPath: string) {
    this.#child = child;
    this.stdin = child.stdin;
    this.stdout = child.stdout;
    this.stderr = child.stderr;
    this.pid = child.pid;
    // EPIPE on a child that died is reported through `exited`, never as an uncaught error.
    child.stdin.on('error', () => undefined);
    let spawnError: Error | undefined;
    this.started = new Promise((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', (err) => {
        spawnError = startError(cliPath, err);
        reject(spawnError);
      });
    });
    this.started.catch(() => undefined);
    this.exited = new Promise((resolve) => {
      const finish = (exit: SourceExit): void => {
        if (this.#done) return;
        this.#done = true;
        resolve(exit);
      };
      child.once('close', (code, signal) => finish({ code, signal, ...(spawnError ? { error: spawnError } : {}) }));
      child.once('error', (err) => {
        if (child.pid === undefined) finish({ code: null, signal: null, error: spawnError ?? err });
      });
    });
  }

  kill(): void {
    if (this.#done || this.#child.exitCode !== null || this.#child.signalCode !== null) return;
    this.#child.kill('SIGKILL');
  }
}

function startError(cliPath: string, err: Error): SourceError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') {
    return new SourceError(
      'SOURCE_NOT_FOUND',
      `cannot start imsg: '${cliPath}' was not found. Install imsg (brew install steipete/tap/imsg) or set the account's source.cli_path to the full path of the imsg executable.`,
      { cliPath },
      { cause: err },
    );
  }
  if (code === 'EACCES') {
    return new SourceError(
      'SOURCE_NOT_EXECUTABLE',
      `cannot start imsg: '${cliPath}' is not executable (chmod +x it, or point source.cli_path at the real binary).`,
      { cliPath },
      { cause: err },
    );
  }
  return new SourceError('SOURCE_SPAWN_FAILED', `cannot start imsg '${cliPath}': ${err.message}`, { cliPath }, { cause: err });
}
