import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  BLOB_CHUNK_BYTES,
  callHub,
  HubError,
  HubMessageNotificationSchema,
  HubMessagesNotificationSchema,
  SendStatusNotificationSchema,
  TypingNotificationSchema,
  type ClientHelloResult,
  type HubMessage,
  type HubMethod,
  type HubParams,
  type HubResult,
  type WatchSubscribeParams,
} from '@imsg-hub/hub-protocol';
import { PeerError, type Peer } from '@imsg-hub/jsonrpc';
import type { BackoffSettings } from './backoff.js';
import { HubConnection, type DialPhase } from './hub-connection.js';
import type { HubSession } from './hub-session.js';

export interface HubClientOptions {
  /**
   * The hub's ws:// or wss:// URL, or several hubs of one fleet (one shared store): the first is
   * dialed first; a failed dial or a lost link moves on to the next (with `reconnect`), and watches
   * resume there after their last message.
   */
  url: string | readonly string[];
  token: string;
  name?: string;
  version?: string;
  /** Reconnect forever after the link drops (default false: a closed link stays closed). */
  reconnect?: boolean;
  /** Waits between dials (default 100 ms doubling to 5 s, jittered). */
  backoff?: BackoffSettings;
  /**
   * A dial failure that ends retrying (reported as an `error` event). Default: the hub refused the
   * token (UNAUTHORIZED). `phase` is 'first' before any link came up (`HubClient.start`).
   */
  isFatal?: (error: Error, phase: DialPhase) => boolean;
  /** Extra TLS trust for a self-signed hub: PEM of its certificate or CA. */
  ca?: string | Buffer;
  /** Per-call timeout (default 30 s). */
  timeoutMs?: number;
  /**
   * Ping the hub this often and drop a link that leaves two pings unanswered, so a half-open
   * connection (a sleeping laptop, a NAT that forgot it) reconnects instead of going silent.
   * Absent or 0: never.
   */
  keepaliveMs?: number;
  maxFrameBytes?: number;
}

export interface WatchHandle {
  readonly id: number;
  /** Hub id of the last message delivered; a resubscription resumes after it. */
  readonly lastId: number;
  close(): Promise<void>;
}

interface WatchState {
  params: WatchSubscribeParams;
  onMessage: (m: HubMessage) => void;
  subscription: number;
  lastId: number;
  closed: boolean;
}

/**
 * A client of the hub's WebSocket API over one HubConnection: hello, typed calls, uploads, and
 * watches that resume after the last delivered message when the link comes back (no gap, no
 * duplicate). Events: `connect` (hello; first link of `start`), `disconnect` (error), `reconnect`
 * (hello), `retry` (error, attempt), `error` (retrying stopped on a fatal failure).
 */
export class HubClient extends EventEmitter {
  readonly #options: HubClientOptions;
  readonly #connection: HubConnection<'client'>;
  #hello: ClientHelloResult | undefined;
  readonly #watches = new Set<WatchState>();
  readonly #early = new Map<number, HubMessage[]>();
  #closed = false;

  private constructor(options: HubClientOptions) {
    super();
    this.#options = options;
    this.#connection = new HubConnection({
      url: options.url,
      role: 'client',
      hello: { token: options.token, client: { name: options.name ?? 'hub-client', ...(options.version ? { version: options.version } : {}) } },
      ca: options.ca,
      maxFrameBytes: options.maxFrameBytes ?? 64 * 1024 * 1024,
      keepaliveMs: options.keepaliveMs,
      backoff: options.backoff ?? { initial_ms: 100, max_ms: 5000 },
      redial: options.reconnect === true,
      isFatal: options.isFatal ?? ((err) => HubError.from(err)?.hubCode === 'UNAUTHORIZED'),
      onNotification: (method, params) => this.#onNotification(method, params),
      prepare: async (session) => {
        for (const w of this.#watches) await this.#subscribe(w, session.peer);
      },
      onUp: (session, phase) => this.#onUp(session, phase),
      onDown: (err) => this.#onDown(err),
      onRetry: (err, attempt) => this.emit('retry', err, attempt),
      onGiveUp: (err) => {
        if (this.listenerCount('error') > 0) this.emit('error', err);
      },
    });
  }

  /** Connects and says hello; rejects with the hub's error (UNAUTHORIZED, …) or the socket's. */
  static async connect(options: HubClientOptions): Promise<HubClient> {
    const client = new HubClient(options);
    await client.#connection.open();
    return client;
  }

  /**
   * A client that dials in the background until the hub answers (retrying with backoff), for a
   * process that starts before the hub may be up. `ready()` waits for the link; `connect` tells.
   */
  static start(options: HubClientOptions): HubClient {
    const client = new HubClient(options);
    client.#connection.start();
    return client;
  }

  /** Resolves once a link is up; rejects when none will come (gave up, not reconnecting, closed). */
  async ready(): Promise<void> {
    await this.#ready();
  }

  get hello(): ClientHelloResult {
    if (!this.#hello) throw new Error('not connected');
    return this.#hello;
  }

  /** The hub the link is on (or the next dial goes to). */
  get url(): string {
    return this.#connection.url;
  }

  get connected(): boolean {
    const session = this.#connection.session;
    return session !== undefined && !session.peer.isClosed;
  }

  async call<M extends HubMethod>(method: M, params: HubParams<M>, timeoutMs?: number): Promise<HubResult<M>> {
    const peer = await this.#ready();
    return callHub(peer, method, params, { timeoutMs: timeoutMs ?? this.#options.timeoutMs ?? 30_000 });
  }

  /** Raw call for methods outside the table (imsg.call). */
  async request(method: string, params: unknown, timeoutMs?: number): Promise<unknown> {
    const peer = await this.#ready();
    return peer.request(method, params, { timeoutMs: timeoutMs ?? this.#options.timeoutMs ?? 30_000 });
  }

  /** Subscribes; `onMessage` gets replayed then live messages, across reconnects, each once. */
  async watch(params: WatchSubscribeParams, onMessage: (m: HubMessage) => void): Promise<WatchHandle> {
    const state: WatchState = { params, onMessage, subscription: -1, lastId: params.since ?? -1, closed: false };
    this.#watches.add(state);
    try {
      await this.#subscribe(state);
    } catch (err) {
      this.#watches.delete(state); // a watch that never started must not be resubscribed later
      throw err;
    }
    return {
      get id() {
        return state.subscription;
      },
      get lastId() {
        return state.lastId;
      },
      close: async () => {
        state.closed = true;
        this.#watches.delete(state);
        if (this.connected) await this.call('watch.unsubscribe', { subscription: state.subscription }).catch(() => undefined);
      },
    };
  }

  /** Uploads bytes to the hub's blob store; resolves with their sha256. */
  async upload(bytes: Buffer, name: string, mimeType?: string): Promise<{ sha256: string; size: number }> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const begin = await this.call('upload.begin', { size: bytes.length, name, ...(mimeType ? { mime_type: mimeType } : {}) });
    const step = Math.min(begin.chunk_bytes, BLOB_CHUNK_BYTES);
    for (let offset = 0; offset < bytes.length; offset += step) {
      await this.call('upload.chunk', { upload_id: begin.upload_id, offset, data: bytes.subarray(offset, offset + step).toString('base64') });
    }
    return this.call('upload.finish', { upload_id: begin.upload_id, sha256 });
  }

  /** Downloads a blob in chunks. */
  async download(sha256: string): Promise<Buffer> {
    const parts: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const r = await this.call('blob.get', { sha256, offset, length: BLOB_CHUNK_BYTES });
      const data = Buffer.from(r.data, 'base64');
      parts.push(data);
      offset += data.length;
      if (r.eof || data.length === 0) break;
    }
    return Buffer.concat(parts);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#connection.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #ready(): Promise<Peer> {
    const session = await this.#connection.whenUp();
    if (!session || session.peer.isClosed) {
      const fatal = this.#connection.fatal;
      const why = this.#closed ? 'hub client is closed' : fatal ? `not connected to the hub: ${fatal.message}` : 'not connected to the hub (reconnecting)';
      throw new PeerError('PEER_CLOSED', why, fatal ? { cause: fatal } : undefined);
    }
    return session.peer;
  }

  #onUp(session: HubSession<'client'>, phase: DialPhase): void {
    this.#hello = session.hello;
    if (phase === 'again') this.emit('reconnect', session.hello);
    else if (this.listenerCount('connect') > 0) this.emit('connect', session.hello);
  }

  #onNotification(method: string, params: unknown): void {
    let subscription: number;
    let messages: HubMessage[];
    if (method === 'messages') {
      const parsed = HubMessagesNotificationSchema.safeParse(params);
      if (!parsed.success) return void this.emit('invalid', params, parsed.error);
      ({ subscription, messages } = parsed.data);
    } else if (method === 'message') {
      const parsed = HubMessageNotificationSchema.safeParse(params);
      if (!parsed.success) return void this.emit('invalid', params, parsed.error);
      subscription = parsed.data.subscription;
      messages = [parsed.data.message];
    } else if (method === 'send.status') {
      // A send or action of a watched account changed state (watch.subscribe with include_sends).
      const parsed = SendStatusNotificationSchema.safeParse(params);
      if (!parsed.success) return void this.emit('invalid', params, parsed.error);
      return void this.emit('send.status', parsed.data.outcome, parsed.data.subscription);
    } else if (method === 'typing') {
      // Someone typing in a chat of a watched account (watch.subscribe with include_typing).
      const parsed = TypingNotificationSchema.safeParse(params);
      if (!parsed.success) return void this.emit('invalid', params, parsed.error);
      return void this.emit('typing', parsed.data);
    } else {
      return;
    }
    const w = [...this.#watches].find((x) => x.subscription === subscription);
    if (!w) {
      // Arrived before the watch.subscribe answer was processed: hold it until it is.
      const list = this.#early.get(subscription) ?? [];
      if (list.length >= 10_000) return; // not ours (an old subscription): don't grow without bound
      list.push(...messages);
      this.#early.set(subscription, list);
      return;
    }
    for (const m of messages) this.#deliver(w, m);
  }

  #deliver(w: WatchState, message: HubMessage): void {
    if (w.closed || message.id <= w.lastId) return; // never twice, even across a resubscription
    w.lastId = message.id;
    w.onMessage(message);
  }

  async #subscribe(w: WatchState, peer?: Peer): Promise<void> {
    const since = w.lastId >= 0 ? w.lastId : undefined;
    // During a reconnect the link is given (prepare runs before it counts as up).
    const link = peer ?? this.#connection.session?.peer;
    if (!link) throw new PeerError('PEER_CLOSED', 'not connected to the hub');
    const r = await callHub(
      link,
      'watch.subscribe',
      { batch: true, ...w.params, ...(since !== undefined ? { since } : {}) },
      { timeoutMs: this.#options.timeoutMs ?? 30_000 },
    );
    w.subscription = r.subscription;
    if (w.lastId < 0) w.lastId = r.seq;
    const early = this.#early.get(r.subscription) ?? [];
    this.#early.delete(r.subscription);
    for (const m of early) this.#deliver(w, m);
  }

  #onDown(err: Error | undefined): void {
    // The old link's subscription ids mean nothing any more (a restarted hub reuses them).
    for (const w of this.#watches) w.subscription = -1;
    this.#early.clear();
    this.emit('disconnect', err);
  }
}
