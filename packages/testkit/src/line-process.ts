import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { NdjsonDecoder } from '@imsg-hub/jsonrpc';

export interface SpawnLineOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Default timeout of nextLine/collectLines (ms). */
  timeoutMs?: number;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

interface Waiter {
  predicate: (line: string) => boolean;
  resolve: (line: string) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A real child process spoken to in lines: write requests on stdin, take stdout lines in order.
 * Lines a `nextLine` predicate skips stay queued for later calls. Disposing kills the child.
 */
export class LineProcess implements AsyncDisposable {
  readonly child: ChildProcessWithoutNullStreams;
  readonly exited: Promise<ExitStatus>;
  /** Every stdout line received so far, in order. */
  readonly lines: string[] = [];
  readonly #queue: string[] = [];
  readonly #waiters = new Set<Waiter>();
  readonly #timeoutMs: number;
  #stderr = '';
  #status: ExitStatus | undefined;

  constructor(command: string, args: readonly string[], options: SpawnLineOptions = {}) {
    this.#timeoutMs = options.timeoutMs ?? 5000;
    this.child = spawn(command, args, { env: options.env ?? process.env, cwd: options.cwd, stdio: 'pipe' });
    const decoder = new NdjsonDecoder({ onLine: (line) => this.#onLine(line) });
    this.child.stdout.on('data', (chunk: Buffer) => decoder.push(chunk));
    this.child.stdout.on('end', () => decoder.end());
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.#stderr += chunk.toString('utf8');
    });
    // Writes after the child died fail with EPIPE; the test sees that through `exited`.
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('close', (code, signal) => {
        this.#status = { code, signal };
        for (const w of [...this.#waiters]) this.#fail(w, `process exited (code ${code}, signal ${signal})`);
        resolve(this.#status);
      });
    });
  }

  get stderr(): string {
    return this.#stderr;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  writeLine(line: string): void {
    this.child.stdin.write(line.endsWith('\n') ? line : line + '\n');
  }

  writeRaw(data: Buffer | string): void {
    this.child.stdin.write(data);
  }

  /** Serialises `value` as one JSON line. */
  writeJson(value: unknown): void {
    this.writeLine(JSON.stringify(value));
  }

  endInput(): void {
    this.child.stdin.end();
  }

  /** The next queued (or future) stdout line matching `predicate`. */
  nextLine(predicate: (line: string) => boolean = () => true, timeoutMs = this.#timeoutMs): Promise<string> {
    const index = this.#queue.findIndex(predicate);
    if (index >= 0) return Promise.resolve(this.#queue.splice(index, 1)[0]!);
    if (this.#status) return Promise.reject(new Error(`process exited before a matching line; stderr: ${this.#stderr}`));
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        resolve,
        reject,
        timer: setTimeout(() => this.#fail(waiter, `no matching line within ${timeoutMs} ms`), timeoutMs),
      };
      this.#waiters.add(waiter);
    });
  }

  /** The next line parsed as JSON whose value satisfies `predicate`. */
  async nextJson<T = Record<string, unknown>>(predicate: (value: T) => boolean = () => true, timeoutMs?: number): Promise<T> {
    const line = await this.nextLine((l) => {
      try {
        return predicate(JSON.parse(l) as T);
      } catch {
        return false;
      }
    }, timeoutMs);
    return JSON.parse(line) as T;
  }

  /** The next `count` lines (matching `predicate`), in order. */
  async collectLines(count: number, predicate?: (line: string) => boolean, timeoutMs?: number): Promise<string[]> {
    const out: string[] = [];
    while (out.length < count) out.push(await this.nextLine(predicate, timeoutMs));
    return out;
  }

  /** Lines received but not yet taken. */
  get pending(): readonly string[] {
    return this.#queue;
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.#status) this.child.kill(signal);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    this.kill();
    await this.exited;
  }

  #onLine(line: string): void {
    this.lines.push(line);
    for (const w of this.#waiters) {
      if (w.predicate(line)) {
        this.#waiters.delete(w);
        clearTimeout(w.timer);
        w.resolve(line);
        return;
      }
    }
    this.#queue.push(line);
  }

  #fail(w: Waiter, why: string): void {
    if (!this.#waiters.delete(w)) return;
    clearTimeout(w.timer);
    w.reject(new Error(`${why}; stderr: ${this.#stderr.slice(-2000)}`));
  }
}

/** Spawns `command` with `args` (no shell) as a LineProcess. */
export function spawnLineProcess(command: string, args: readonly string[], options: SpawnLineOptions = {}): LineProcess {
  return new LineProcess(command, args, options);
}
