import { PeerError, type PeerOptions } from '@imsg-hub/jsonrpc';
import type WebSocket from 'ws';
import type { BackoffSettings } from './backoff.js';
import { dialHub, type HubHelloParams, type HubHelloResult, type HubRole, type HubSession } from './hub-session.js';
import { parseHubUrls } from './hub-urls.js';
import { startKeepalive } from './keepalive.js';
import { retryForever } from './retry-forever.js';

/** Before the first link came up, or after one was lost. */
export type DialPhase = 'first' | 'again';

export interface HubConnectionOptions<R extends HubRole> {
  /**
   * The hub, or several hubs of one fleet (one shared store): dials go to the first, and move to
   * the next on each failed dial and after each lost link (round robin), with the backoff between.
   */
  url: string | readonly string[];
  role: R;
  /** What hello says besides protocol and role: the token, and who is dialing. */
  hello: HubHelloParams<R>;
  /** Extra TLS trust for a self-signed hub: PEM of its certificate or CA. */
  ca?: string | Buffer | undefined;
  /** Largest frame accepted from the hub (default 64 MiB). */
  maxFrameBytes?: number | undefined;
  /** WebSocket handshake bound (default 10 s). */
  connectTimeoutMs?: number | undefined;
  /** Bound on the hello answer (default 15 s). */
  helloTimeoutMs?: number | undefined;
  /** Default bound on calls over the link (default 30 s). */
  requestTimeoutMs?: number | undefined;
  perMessageDeflate?: boolean | undefined;
  /** Ping this often and drop a link that leaves two pings unanswered; 0 or absent: never. */
  keepaliveMs?: number | ((hello: HubHelloResult<R>) => number) | undefined;
  /** Waits between dials. */
  backoff: BackoffSettings;
  /** Dial again after a greeted link is lost (default true). */
  redial?: boolean | undefined;
  /** A failure retrying cannot fix: stop dialing and report it to `onGiveUp`. Default: none. */
  isFatal?: ((error: Error, phase: DialPhase) => boolean) | undefined;
  /** Answers hub → this side requests; `ping` is answered by the connection. */
  onRequest?: ((method: string, params: unknown) => unknown) | undefined;
  onNotification?: PeerOptions['onNotification'];
  onProtocolError?: PeerOptions['onProtocolError'];
  /**
   * Runs on every greeted link before it counts as up — resubscribe here. A rejection drops that
   * link and counts as a failed dial.
   */
  prepare?: ((session: HubSession<R>) => Promise<void>) | undefined;
  /** A link is up (`phase` 'again' after a loss). */
  onUp?: ((session: HubSession<R>, phase: DialPhase) => void) | undefined;
  /** An up link was lost (`error` undefined for a clean close by the hub); `url` is still that hub's. */
  onDown?: ((error: Error | undefined) => void) | undefined;
  /** A dial failed and will be retried after a backoff wait. */
  onRetry?: ((error: Error, attempt: number, phase: DialPhase) => void) | undefined;
  /** Dialing stopped for good on a fatal failure. */
  onGiveUp?: ((error: Error) => void) | undefined;
  /** The keepalive found the link dead (it is dropped right after). */
  onSilent?: ((missed: number) => void) | undefined;
}

type Waiter = () => void;

/**
 * The one connection to the hub under the agent, the CLI/SDK and the facade: dial, hello by role,
 * keepalive, redial with `Backoff` after a failure or a loss, and a `prepare` hook that runs on
 * every link before it counts as up (resubscriptions). `open()` is one attempt that rejects (a
 * one-shot CLI command); `start()` dials in the background until it succeeds (agent, facade).
 * Given several hub URLs, it fails over: a failed dial or a lost link moves it to the next hub
 * (the high-water marks and `since` make the switch lossless; every hub of a fleet has every row).
 */
export class HubConnection<R extends HubRole> {
  readonly #o: HubConnectionOptions<R>;
  readonly #abort = new AbortController();
  #session: HubSession<R> | undefined;
  #socket: WebSocket | undefined;
  #loop: Promise<void> | undefined;
  #everUp = false;
  #closed = false;
  #fatal: Error | undefined;
  readonly #waiters = new Set<Waiter>();
  readonly #urls: readonly string[];
  /** Index in #urls of the hub the next dial goes to (or the link is on). */
  #next = 0;

  constructor(options: HubConnectionOptions<R>) {
    this.#o = options;
    this.#urls = typeof options.url === 'string' ? [options.url] : parseHubUrls(options.url);
  }

  /** The hub the link is on, or the one the next dial goes to. */
  get url(): string {
    return this.#urls[this.#next]!;
  }

  /** Every hub this connection may dial, in order of preference. */
  get urls(): readonly string[] {
    return this.#urls;
  }

  /** The link, when one is up (greeted and prepared). */
  get session(): HubSession<R> | undefined {
    return this.#session;
  }

  /** Dialing in the background right now (the first time, or again after a loss). */
  get dialing(): boolean {
    return this.#loop !== undefined;
  }

  /** The failure dialing stopped on, if it did. */
  get fatal(): Error | undefined {
    return this.#fatal;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * One dial to each hub in turn until one answers: resolves with the link once it is up, or
   * rejects with why not (a fatal refusal at once; else the failure, or all of them when there
   * are several hubs). Nothing is retried after the last hub.
   */
  async open(): Promise<HubSession<R>> {
    if (this.#closed) throw new PeerError('PEER_CLOSED', 'the hub connection is closed');
    if (this.#session) return this.#session;
    const session = await this.#dialEach();
    if (this.#closed) {
      await session.peer.close();
      throw new PeerError('PEER_CLOSED', 'the hub connection is closed');
    }
    this.#up(session);
    return session;
  }

  /** Dials in the background, with backoff, until a link is up; then again after each loss. */
  start(): void {
    if (this.#closed || this.#fatal || this.#session) return;
    this.#dialLoop(false);
  }

  /**
   * The link once one is up: now, or after the dialing in progress succeeds. Undefined when none
   * will come by itself (not dialing, gave up, or closed).
   */
  async whenUp(): Promise<HubSession<R> | undefined> {
    while (!this.#session && this.#loop && !this.#closed) {
      await new Promise<void>((resolve) => this.#waiters.add(resolve));
    }
    return this.#session;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#abort.abort();
    this.#wake();
    await this.#session?.peer.close(); // reported to onDown like any loss, without a redial
    this.#socket?.terminate();
    await this.#loop;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #phase(): 'first' | 'again' {
    return this.#everUp ? 'again' : 'first';
  }

  #dialLoop(afterLoss: boolean): void {
    if (this.#loop) return;
    const phase = this.#phase();
    const loop = retryForever(() => this.#dial(), this.#o.backoff, {
      delayFirst: afterLoss,
      stopped: () => this.#closed,
      signal: this.#abort.signal,
      giveUp: (err) => this.#o.isFatal?.(asError(err), phase) === true,
      onFailure: (err, n) => this.#o.onRetry?.(asError(err), n, phase),
    }).then(
      async (session) => {
        this.#loop = undefined;
        if (this.#closed) return void (await session.peer.close());
        this.#up(session);
      },
      (err: unknown) => {
        this.#loop = undefined;
        if (!this.#closed) {
          this.#fatal = asError(err);
          this.#o.onGiveUp?.(this.#fatal);
        }
        this.#wake();
      },
    );
    this.#loop = loop;
  }

  async #dialEach(): Promise<HubSession<R>> {
    const failures: Error[] = [];
    for (let i = 0; i < this.#urls.length; i++) {
      try {
        return await this.#dial();
      } catch (err) {
        const error = asError(err);
        if (this.#urls.length === 1 || this.#closed || this.#o.isFatal?.(error, this.#phase()) === true) throw error;
        failures.push(error);
      }
    }
    // Refusals (a hub answered) say more than unreachable ones; the last of them wins.
    const answered = failures.filter((e) => !(e instanceof PeerError));
    if (answered.length > 0) throw answered[answered.length - 1]!;
    throw new PeerError('PEER_CLOSED', `cannot reach any of the ${this.#urls.length} hubs: ${failures.map((e) => e.message).join('; ')}`, {
      cause: failures[failures.length - 1],
    });
  }

  /** Moves to the next hub of the list (after a failed dial or a lost link). */
  #rotate(): void {
    this.#next = (this.#next + 1) % this.#urls.length;
  }

  /** One dial to the current hub; a failure moves the next dial to the next hub. */
  async #dial(): Promise<HubSession<R>> {
    try {
      return await this.#dialOne(this.#urls[this.#next]!);
    } catch (err) {
      this.#rotate();
      throw err;
    }
  }

  async #dialOne(url: string): Promise<HubSession<R>> {
    const o = this.#o;
    const { session, socket } = await dialHub({
      url,
      role: o.role,
      hello: o.hello,
      ca: o.ca,
      maxFrameBytes: o.maxFrameBytes ?? 64 * 1024 * 1024,
      connectTimeoutMs: o.connectTimeoutMs ?? 10_000,
      helloTimeoutMs: o.helloTimeoutMs ?? 15_000,
      requestTimeoutMs: o.requestTimeoutMs ?? 30_000,
      perMessageDeflate: o.perMessageDeflate,
      onRequest: o.onRequest,
      onNotification: o.onNotification,
      onProtocolError: o.onProtocolError,
    });
    this.#socket = socket;
    try {
      await o.prepare?.(session);
    } catch (err) {
      socket.terminate();
      await session.peer.close();
      throw err;
    }
    return session;
  }

  #up(session: HubSession<R>): void {
    const phase = this.#phase();
    const socket = this.#socket;
    this.#session = session;
    this.#everUp = true;
    const keepalive = typeof this.#o.keepaliveMs === 'function' ? this.#o.keepaliveMs(session.hello) : (this.#o.keepaliveMs ?? 0);
    const stopKeepalive =
      keepalive > 0
        ? startKeepalive(session.peer, keepalive, (missed) => {
            this.#o.onSilent?.(missed);
            socket?.terminate();
            void session.peer.close();
          })
        : () => undefined;
    void session.peer.closed.then((error) => {
      stopKeepalive();
      this.#session = undefined;
      this.#o.onDown?.(error); // `url` still names the hub that was lost
      // That hub may be gone: the redial goes to the next one (the same one when it is the only).
      this.#rotate();
      if (!this.#closed && this.#o.redial !== false) this.#dialLoop(true);
      this.#wake();
    });
    this.#o.onUp?.(session, phase);
    this.#wake();
  }

  #wake(): void {
    for (const wake of [...this.#waiters]) wake();
    this.#waiters.clear();
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
