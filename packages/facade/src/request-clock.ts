import { parseImsgRequest } from '@imsg-hub/imsg-protocol';
import type { MessageTransport, TransportHandlers } from '@imsg-hub/jsonrpc';
import { FacadeError } from './facade-errors.js';

/** When a request must be answered by: its arrival plus the budget (OpenClaw gives up at 10 s). */
export class Deadline {
  readonly at: number;
  constructor(at: number) {
    this.at = at;
  }
  static in(ms: number): Deadline {
    return new Deadline(Date.now() + ms);
  }
  /** Milliseconds left, never negative. */
  remaining(): number {
    return Math.max(0, this.at - Date.now());
  }
  /** Settles like `work`, or rejects with DEADLINE once time is up (`work` keeps running). */
  race<T>(work: Promise<T>, what: string): Promise<T> {
    const left = this.remaining();
    if (left === 0) {
      work.catch(() => undefined); // it still runs; its failure must not go unhandled
      return Promise.reject(new FacadeError('DEADLINE', `no time left to ${what}`));
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new FacadeError('DEADLINE', `${what} took too long; answering before the client gives up`)), left);
      work.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e: unknown) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }
}

/**
 * A transport decorator that notes when each request line arrived. imsg handles requests one at a
 * time, so a request can wait behind a slow send; its budget must count from arrival, not from
 * when its turn comes. Lines are classified with the server's own parser, so the arrival queue
 * holds exactly one entry per `handle()` call, in order.
 */
export class ArrivalClock implements MessageTransport {
  readonly #inner: MessageTransport;
  readonly #arrivals: number[] = [];
  readonly #clock = arrivalClock();

  constructor(inner: MessageTransport) {
    this.#inner = inner;
  }

  attach(handlers: TransportHandlers): void {
    this.#inner.attach({
      ...handlers,
      message: (line) => {
        if (parseImsgRequest(line.trim()).ok) this.#arrivals.push(this.#clock());
        handlers.message(line);
      },
    });
  }

  /** Arrival time of the request now being handled (now, if the queue is somehow empty). */
  take(): number {
    return this.#arrivals.shift() ?? Date.now();
  }

  send(text: string): Promise<void> {
    return this.#inner.send(text);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }
}

/** When this process started (epoch ms): process.uptime(), not perf_hooks, whose load is a millisecond of every spawn. */
const PROCESS_START = Math.round(Date.now() - process.uptime() * 1000);

/**
 * When a request line arrived: now — except for the lines that were already waiting when the
 * process started. OpenClaw writes its request right after spawning, so those count from the spawn,
 * not from when node got to reading them (a few hundred ms later on a busy machine). Only a first
 * burst read while still starting (node, the bundle and the hello take a while) counts so.
 */
export function arrivalClock(): () => number {
  let startupBurst = true;
  return () => {
    const now = Date.now();
    if (!startupBurst || process.uptime() > 2) return now;
    setImmediate(() => (startupBurst = false));
    return Math.min(now, PROCESS_START);
  };
}
