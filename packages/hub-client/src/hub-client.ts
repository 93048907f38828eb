import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  BLOB_CHUNK_BYTES,
  callHub,
  HubError,
  HubMessageNotificationSchema,
  HubMessagesNotificationSchema,
  PROTOCOL_VERSION,
  ClientHelloResultSchema,
  type ClientHelloResult,
  type HubMessage,
  type HubMethod,
  type HubParams,
  type HubResult,
  type WatchSubscribeParams,
} from '@imsg-hub/hub-protocol';
import { Peer, PeerError, WebSocketTransport } from '@imsg-hub/jsonrpc';
import WebSocket from 'ws';

export interface HubClientOptions {
  url: string;
  token: string;
  name?: string;
  version?: string;
  /** Reconnect forever after the link drops (default false: a closed link stays closed). */
  reconnect?: boolean;
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
 * A client of the hub's WebSocket API: hello, typed calls, uploads, and watches that resume after
 * the last delivered message when the link comes back (no gap, no duplicate).
 * Events: `disconnect` (error), `reconnect` (hello result).
 */
export class HubClient extends EventEmitter {
  readonly #options: HubClientOptions;
  #peer: Peer | undefined;
  #hello: ClientHelloResult | undefined;
  readonly #watches = new Set<WatchState>();
  readonly #early = new Map<number, HubMessage[]>();
  #closed = false;
  #connecting: Promise<void> | undefined;

  private constructor(options: HubClientOptions) {
    super();
    this.#options = options;
  }

  /** Connects and says hello; rejects with the hub's error (UNAUTHORIZED, …) or the socket's. */
  static async connect(options: HubClientOptions): Promise<HubClient> {
    const client = new HubClient(options);
    await client.#connect();
    client.#watchLink(client.#peer!);
    return client;
  }

  get hello(): ClientHelloResult {
    if (!this.#hello) throw new Error('not connected');
    return this.#hello;
  }

  get connected(): boolean {
    return this.#peer !== undefined && !this.#peer.isClosed;
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
    await this.#peer?.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #ready(): Promise<Peer> {
    if (this.#connecting) await this.#connecting;
    if (!this.#peer || this.#peer.isClosed) {
      throw new PeerError('PEER_CLOSED', this.#closed ? 'hub client is closed' : 'not connected to the hub (reconnecting)');
    }
    return this.#peer;
  }

  async #connect(): Promise<void> {
    const o = this.#options;
    const socket = new WebSocket(o.url, {
      maxPayload: o.maxFrameBytes ?? 64 * 1024 * 1024,
      handshakeTimeout: 10_000,
      ...(o.ca ? { ca: o.ca } : {}),
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', (err) => reject(new PeerError('PEER_CLOSED', `cannot reach the hub at ${o.url}: ${err.message}`, { cause: err })));
    });
    const peer = new Peer(new WebSocketTransport(socket), {
      onNotification: (method, params) => this.#onNotification(method, params),
      onRequest: (method) => (method === 'ping' ? { ts: Date.now() } : undefined),
    });
    try {
      const raw = await peer.request('hello', {
        protocol: PROTOCOL_VERSION,
        role: 'client',
        token: o.token,
        client: { name: o.name ?? 'hub-client', ...(o.version ? { version: o.version } : {}) },
      });
      this.#hello = ClientHelloResultSchema.parse(raw);
    } catch (err) {
      await peer.close();
      throw HubError.from(err) ?? err;
    }
    this.#peer = peer;
  }

  /** The link is ready (greeted, watches resubscribed): watch it from now on. */
  #watchLink(peer: Peer): void {
    if (this.#options.keepaliveMs) this.#keepalive(peer, this.#options.keepaliveMs);
    void peer.closed.then((err) => this.#onClosed(err));
  }

  #keepalive(peer: Peer, everyMs: number): void {
    let missed = 0;
    const timer = setInterval(() => {
      peer.request('ping', { ts: Date.now() }, { timeoutMs: everyMs }).then(
        () => (missed = 0),
        () => {
          missed += 1;
          if (missed >= 2) void peer.close(); // closing starts the reconnect, when enabled
        },
      );
    }, everyMs);
    timer.unref();
    void peer.closed.then(() => clearInterval(timer));
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

  async #subscribe(w: WatchState): Promise<void> {
    const since = w.lastId >= 0 ? w.lastId : undefined;
    // Not this.call(): during a reconnect that would wait for the reconnect itself.
    if (!this.#peer) throw new PeerError('PEER_CLOSED', 'not connected to the hub');
    const r = await callHub(
      this.#peer,
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

  #onClosed(err: Error | undefined): void {
    // The old link's subscription ids mean nothing any more (a restarted hub reuses them).
    for (const w of this.#watches) w.subscription = -1;
    this.#early.clear();
    this.emit('disconnect', err);
    if (this.#closed || !this.#options.reconnect) return;
    this.#connecting = this.#reconnectLoop().finally(() => (this.#connecting = undefined));
  }

  async #reconnectLoop(): Promise<void> {
    let delay = 100;
    while (!this.#closed) {
      await new Promise((r) => setTimeout(r, delay * (0.5 + Math.random())));
      try {
        await this.#connect();
        const peer = this.#peer!;
        try {
          for (const w of this.#watches) await this.#subscribe(w);
        } catch (err) {
          await peer.close(); // not watched yet: closing it does not start another loop
          throw err;
        }
        this.#watchLink(peer);
        this.emit('reconnect', this.#hello);
        return;
      } catch (err) {
        if (HubError.from(err)?.hubCode === 'UNAUTHORIZED') {
          this.emit('error', err);
          return;
        }
        delay = Math.min(delay * 2, 5000);
      }
    }
  }
}
