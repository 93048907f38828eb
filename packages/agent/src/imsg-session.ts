import { LineStreamTransport, RpcError } from '@imsg-hub/jsonrpc';
import { ImsgClient } from '@imsg-hub/imsg-protocol';
import type { Logger } from 'pino';
import { AgentError } from './errors.js';
import { LEGACY_PROFILE, negotiate, type ImsgProfile } from './imsg-profile.js';
import type { ImsgProcess, ImsgSource, SourceExit } from './imsg-source.js';

/** One started `imsg rpc` (child or exec channel) with a client on its stdio. */
export class ImsgSession {
  readonly client: ImsgClient;
  readonly ended: Promise<SourceExit>;
  /** What this imsg speaks and can do: negotiated at start, refreshed by `status` (v1). */
  profile: ImsgProfile = LEGACY_PROFILE;
  readonly #process: ImsgProcess;
  readonly #log: Logger;

  private constructor(process: ImsgProcess, log: Logger) {
    this.#process = process;
    this.#log = log;
    this.client = new ImsgClient(new LineStreamTransport(process.stdout, process.stdin), {
      defaultTimeoutMs: 30_000,
      onProtocolError: (err, text) => log.warn({ err: err.message, line: text?.slice(0, 200) }, 'imsg wrote something unreadable'),
    });
    let stderrBudget = 64 * 1024;
    process.stderr.on('data', (chunk: Buffer) => {
      if (stderrBudget <= 0) return;
      stderrBudget -= chunk.length;
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log.warn({ stderr: line.slice(0, 500) }, 'imsg stderr');
    });
    process.stderr.on('error', () => undefined);
    this.ended = process.exited.then((exit) => {
      void this.client.close().catch(() => undefined);
      return exit;
    });
  }

  /**
   * Starts imsg and negotiates (`initialize`, reference/imsg-protocol-v1.md §1.3): imsg 0.14+
   * answers with its status (a chat.db it cannot read yet is reported, not fatal: 0.15 retries it);
   * an older imsg answers -32601. imsg 0.9 in startup-error mode (no Full Disk Access, bad --db)
   * answers every call with -32603, which fails the start with its text.
   */
  static async start(source: ImsgSource, options: { log: Logger; checkTimeoutMs: number }): Promise<ImsgSession> {
    const process = await source.spawn();
    const session = new ImsgSession(process, options.log);
    try {
      session.profile = await negotiate(session.client, options.checkTimeoutMs);
      options.log.info({ imsg: session.profile.info.version, protocol: session.profile.info.protocol_version ?? 0 }, 'imsg negotiated');
    } catch (err) {
      session.kill();
      const exit = await session.ended;
      const why = err instanceof RpcError ? err.describe() : (err as Error).message;
      throw new AgentError('IMSG_STARTUP_FAILED', `imsg (${source.description}) did not start: ${why}${exitText(exit)}`, {}, { cause: err });
    }
    return session;
  }

  kill(): void {
    this.#process.kill();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop(2000);
  }

  /** Ends imsg's stdin (imsg exits on EOF), waits up to `graceMs`, then kills it. */
  async stop(graceMs: number): Promise<SourceExit> {
    await this.client.close().catch(() => undefined);
    const timer = setTimeout(() => {
      this.#log.warn({ graceMs }, 'imsg did not exit on EOF; killing it');
      this.kill();
    }, graceMs);
    try {
      return await this.ended;
    } finally {
      clearTimeout(timer);
    }
  }
}

/** ` (exit code 1)`-style suffix naming how a process ended. */
export function exitText(exit: SourceExit): string {
  if (exit.error) return ` (${exit.error.message})`;
  if (exit.signal) return ` (killed by ${exit.signal})`;
  return exit.code === null ? '' : ` (exit code ${exit.code})`;
}
