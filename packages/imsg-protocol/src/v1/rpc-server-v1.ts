import { escapeLineSeparators, RpcError, type MessageTransport } from '@imsg-hub/jsonrpc';
import { imsgError } from '../imsg-error.js';
import { DeliveryFailure, imsgV1Error } from './errors-v1.js';
import { laneOf, methodDescriptor, type ImsgLane } from './method-table.js';
import { parseImsgV1Request, type ImsgV1Request, type ParsedV1Line } from './request-parser-v1.js';
import type { StrictJson } from './strict-json.js';
import { SubscriptionStore } from './subscription-store.js';

/** What a v1 backend may do besides answering: notify, and own subscriptions. */
export interface ImsgV1Session {
  /** Writes a notification; resolves once the line reached the output (watch buffers wait on it). */
  notify(method: string, params: unknown): Promise<void>;
  readonly subscriptions: SubscriptionStore;
}

export interface ImsgV1Call {
  method: string;
  params: Record<string, StrictJson>;
  /** No `id` key: the method runs, but nothing is ever written for it. */
  isNotification: boolean;
  session: ImsgV1Session;
  /** When the line arrived (the server's clock, default `Date.now`): a request's budget counts from here. */
  receivedAt: number;
}

/** A result whose `afterwards` runs right after the response line is queued (watch start gates). */
export class AfterResponse {
  readonly result: unknown;
  readonly afterwards: () => void;
  constructor(result: unknown, afterwards: () => void) {
    this.result = result;
    this.afterwards = afterwards;
  }
}

/** Answers v1 methods. Throws RpcError or DeliveryFailure to answer with an error. */
export interface ImsgV1Backend {
  handle(call: ImsgV1Call): Promise<unknown>;
  /** Releases resources once every accepted request has drained at EOF. */
  close(): Promise<void>;
}

export interface ImsgV1RpcServerOptions {
  /** Running plus queued requests before `-32000` (default 128). */
  outstandingLimit?: number;
  /** Reads in flight at once (default 4). */
  readLimit?: number;
  subscriptionLimit?: number;
  onOversize?: (bytes: number) => void;
  /** Arrival time of a line, in Unix ms (default `Date.now`). */
  clock?: () => number;
}

type Job = { parsed: ParsedV1Line; receivedAt: number };

/**
 * `imsg rpc` protocol v1 (reference/imsg-protocol-v1.md §2): strict framing, three lanes (a FIFO
 * mutation worker, up to four concurrent reads whose answers may come out of order, a serial
 * control worker), 128 outstanding requests, mutation-lane poisoning, and EOF that cancels
 * subscriptions silently, drains every accepted request, flushes, then finishes with status 0.
 */
export class ImsgV1RpcServer {
  readonly #transport: MessageTransport;
  readonly #backend: ImsgV1Backend;
  readonly #outstandingLimit: number;
  readonly #readLimit: number;
  readonly #clock: () => number;
  readonly #queues: Record<ImsgLane, Job[]> = { mutation: [], read: [], control: [] };
  #mutationBusy = false;
  #controlBusy = false;
  #readsRunning = 0;
  #outstanding = 0;
  #accepting = true;
  #poison: DeliveryFailure | undefined;
  #lastWrite: Promise<void> = Promise.resolve();
  #drained: (() => void) | undefined;
  #done!: (code: number) => void;
  readonly finished: Promise<number>;
  readonly session: ImsgV1Session;

  constructor(transport: MessageTransport, backend: ImsgV1Backend, options: ImsgV1RpcServerOptions = {}) {
    this.#transport = transport;
    this.#backend = backend;
    this.#outstandingLimit = options.outstandingLimit ?? 128;
    this.#readLimit = options.readLimit ?? 4;
    this.#clock = options.clock ?? Date.now;
    const subscriptions = new SubscriptionStore(options.subscriptionLimit ?? 64);
    this.session = { notify: (method, params) => this.#write({ jsonrpc: '2.0', method, params }), subscriptions };
    this.finished = new Promise((resolve) => {
      this.#done = resolve;
    });
    transport.attach({
      message: (line) => this.#submit(line),
      close: () => void this.#shutdown(),
      oversize: (bytes) => options.onOversize?.(bytes),
    });
  }

  /** Requests running or queued now. */
  get outstanding(): number {
    return this.#outstanding;
  }

  #submit(raw: string): void {
    if (!this.#accepting) return;
    const line = raw.trim();
    if (line === '') return;
    const receivedAt = this.#clock();
    const parsed = parseImsgV1Request(line);
    if (this.#outstanding >= this.#outstandingLimit) {
      // Over the bound: an identified request is told to back off; a notification is dropped;
      // an unparseable line still gets its framing error.
      if (!parsed.ok) {
        if (parsed.respond) this.#error(parsed.id, parsed.error);
      } else if (parsed.request.id !== undefined) {
        this.#error(parsed.request.id, imsgV1Error.serverBusy('outstanding request limit exceeded'));
      }
      return;
    }
    this.#outstanding++;
    const lane = laneOf(parsed.ok ? parsed.request.method : undefined);
    this.#queues[lane].push({ parsed, receivedAt });
    this.#pump();
  }

  #pump(): void {
    if (!this.#mutationBusy && this.#queues.mutation.length > 0) {
      this.#mutationBusy = true;
      void this.#runSerial('mutation');
    }
    if (!this.#controlBusy && this.#queues.control.length > 0) {
      this.#controlBusy = true;
      void this.#runSerial('control');
    }
    while (this.#readsRunning < this.#readLimit && this.#queues.read.length > 0) {
      const job = this.#queues.read.shift()!;
      this.#readsRunning++;
      void this.#run(job, 'read').finally(() => {
        this.#readsRunning--;
        this.#complete();
        this.#pump();
      });
    }
  }

  async #runSerial(lane: 'mutation' | 'control'): Promise<void> {
    const queue = this.#queues[lane];
    while (queue.length > 0) {
      const job = queue.shift()!;
      await this.#run(job, lane);
      this.#complete();
    }
    if (lane === 'mutation') this.#mutationBusy = false;
    else this.#controlBusy = false;
  }

  async #run(job: Job, lane: ImsgLane): Promise<void> {
    const { parsed, receivedAt } = job;
    if (!parsed.ok) {
      if (parsed.respond) this.#error(parsed.id, parsed.error);
      return;
    }
    const request = parsed.request;
    const isNotification = request.id === undefined;
    if (lane === 'mutation' && this.#poison) {
      if (!isNotification) this.#error(request.id, imsgV1Error.mutationLaneBlocked(this.#poison));
      return;
    }
    if (methodDescriptor(request.method) === undefined) {
      if (!isNotification) this.#error(request.id, imsgError.methodNotFound(request.method));
      return;
    }
    try {
      const answer = await this.#backend.handle({ method: request.method, params: request.params, isNotification, session: this.session, receivedAt });
      if (answer instanceof AfterResponse) {
        if (!isNotification) this.#result(request, answer.result);
        answer.afterwards();
      } else if (!isNotification) {
        this.#result(request, answer);
      }
    } catch (err) {
      if (err instanceof DeliveryFailure && err.disposition === 'still_in_flight' && lane === 'mutation') this.#poison = err;
      if (!isNotification) this.#error(request.id, toV1Error(err));
    }
  }

  #complete(): void {
    this.#outstanding--;
    if (this.#outstanding === 0) this.#drained?.();
  }

  async #shutdown(): Promise<void> {
    this.#accepting = false;
    await this.session.subscriptions.cancelAll();
    if (this.#outstanding > 0) {
      await new Promise<void>((resolve) => {
        this.#drained = resolve;
      });
    }
    await this.#backend.close();
    await this.#lastWrite;
    this.#done(0);
  }

  #result(request: ImsgV1Request, result: unknown): void {
    void this.#write({ jsonrpc: '2.0', id: request.id ?? null, result });
  }

  #error(id: unknown, error: RpcError): void {
    void this.#write({ jsonrpc: '2.0', id: id ?? null, error: error.toJSON() });
  }

  #write(message: unknown): Promise<void> {
    let text: string;
    try {
      text = escapeLineSeparators(JSON.stringify(message));
    } catch {
      text = '{"jsonrpc":"2.0","error":{"code":-32603,"message":"write failed"}}';
    }
    // A write after the reader went away is not worth crashing for; imsg ignores it too.
    const written = this.#transport.send(text).catch(() => undefined);
    this.#lastWrite = written;
    return written;
  }
}

/** Maps anything a v1 handler throws to imsg 0.15's error shape. */
export function toV1Error(err: unknown): RpcError {
  if (err instanceof DeliveryFailure) return err.toRpcError();
  if (err instanceof RpcError) return err;
  return imsgError.internal(err instanceof Error ? err.message : String(err));
}
