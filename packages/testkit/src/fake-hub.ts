import { createHash, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import {
  HubError,
  PROTOCOL_VERSION,
  parseParams,
  type AccountStateParams,
  type Row,
  type SendDispatchParams,
  type SendDispatchResult,
} from '@imsg-hub/hub-protocol';
import { WebSocketServer, type WebSocket } from 'ws';

// A stand-in for the hub's agent role, for the agent's tests (the real hub has its own):
// hello, rows with cumulative acks, epoch.new, account.state, uploads, blob.read, ping, and a way
// to dispatch sends. Binds 127.0.0.1 on a free port.

export interface FakeHubOptions {
  token?: string;
  /** Resume points handed out in hello (default epoch 1, hwm 0). */
  resume?: Record<string, { epoch: number; hwm: number }>;
  pingIntervalMs?: number;
  maxFrameBytes?: number;
}

interface AccountStore {
  epoch: number;
  hwm: number;
  rows: Map<number, Row>;
}

export class FakeHub implements AsyncDisposable {
  readonly url: string;
  readonly states: AccountStateParams[] = [];
  readonly blobs = new Map<string, Buffer>();
  readonly epochRequests: string[] = [];
  readonly #server: WebSocketServer;
  readonly #options: FakeHubOptions;
  readonly #accounts = new Map<string, AccountStore>();
  readonly #uploads = new Map<string, Buffer[]>();
  readonly #sockets = new Set<WebSocket>();
  #peer: Peer | undefined;
  #hellos = 0;
  #holdAcks: (() => void)[] | undefined;
  #answerPings = true;

  private constructor(server: WebSocketServer, options: FakeHubOptions) {
    this.#server = server;
    this.#options = options;
    const { port } = server.address() as AddressInfo;
    this.url = `ws://127.0.0.1:${port}/`;
    server.on('connection', (socket) => this.#onConnection(socket));
  }

  static async start(options: FakeHubOptions = {}): Promise<FakeHub> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: options.maxFrameBytes ?? 4 * 1024 * 1024 });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return new FakeHub(server, options);
  }

  get hellos(): number {
    return this.#hellos;
  }

  get connected(): boolean {
    return this.#peer !== undefined && !this.#peer.isClosed;
  }

  account(name: string): AccountStore {
    let a = this.#accounts.get(name);
    if (!a) {
      const r = this.#options.resume?.[name] ?? { epoch: 1, hwm: 0 };
      a = { epoch: r.epoch, hwm: r.hwm, rows: new Map() };
      this.#accounts.set(name, a);
    }
    return a;
  }

  /** Stored rows of an account's current epoch, ascending. */
  rows(name: string): Row[] {
    return [...this.account(name).rows.values()].sort((a, b) => a.rowid - b.rowid);
  }

  /** Starts a new epoch behind the agent's back (as another link of the account would). */
  bumpEpoch(name: string): void {
    const a = this.account(name);
    a.epoch += 1;
    a.hwm = 0;
    a.rows.clear();
  }

  /** Holds every `rows` answer until `releaseAcks`. */
  holdAcks(): void {
    this.#holdAcks ??= [];
  }

  releaseAcks(): void {
    const held = this.#holdAcks ?? [];
    this.#holdAcks = undefined;
    for (const release of held) release();
  }

  answerPings(on: boolean): void {
    this.#answerPings = on;
  }

  /** Cuts every agent connection (as a network failure would). */
  dropConnections(): void {
    for (const s of this.#sockets) s.terminate();
  }

  dispatch(params: SendDispatchParams, timeoutMs = 60_000): Promise<SendDispatchResult> {
    if (!this.#peer) throw new Error('no agent connected');
    return this.#peer.request('send.dispatch', params, { timeoutMs });
  }

  imsgCall(account: string, method: 'typing' | 'read', params: Record<string, unknown>): Promise<unknown> {
    if (!this.#peer) throw new Error('no agent connected');
    return this.#peer.request('imsg.call', { account, method, params });
  }

  putBlob(bytes: Buffer): string {
    const sha = createHash('sha256').update(bytes).digest('hex');
    this.blobs.set(sha, bytes);
    return sha;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #onConnection(socket: WebSocket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    let greeted = false;
    const peer: Peer = new Peer(new WebSocketTransport(socket), {
      answerInvalid: true,
      onRequest: async (method, params) => {
        if (method === 'hello') {
          const p = params as { token?: string; accounts?: string[]; protocol?: number };
          if (this.#options.token && p.token !== this.#options.token) throw new HubError('UNAUTHORIZED', 'bad token');
          greeted = true;
          this.#hellos++;
          this.#peer = peer;
          return {
            protocol: PROTOCOL_VERSION,
            hub_version: 'fake',
            session: randomUUID(),
            accounts: (p.accounts ?? []).map((name) => ({ name, epoch: this.account(name).epoch, hwm: this.account(name).hwm })),
            max_frame_bytes: this.#options.maxFrameBytes ?? 4 * 1024 * 1024,
            ping_interval_ms: this.#options.pingIntervalMs ?? 10_000,
            max_file_bytes: 16 * 1024 * 1024,
          };
        }
        if (!greeted) throw new HubError('HELLO_REQUIRED', 'hello first');
        return this.#answer(method, params);
      },
      onNotification: (method, params) => {
        if (method === 'account.state') this.states.push(parseParams('account.state', params));
      },
    });
  }

  async #answer(method: string, params: unknown): Promise<unknown> {
    switch (method) {
      case 'ping':
        if (!this.#answerPings) return new Promise(() => undefined);
        return { ts: (params as { ts?: number }).ts ?? Date.now() };
      case 'rows': {
        const p = parseParams('rows', params);
        const a = this.account(p.account);
        if (p.epoch !== a.epoch) throw new HubError('STALE_EPOCH', `epoch ${p.epoch} is not current (${a.epoch})`, { epoch: a.epoch });
        for (let i = 1; i < p.rows.length; i++) {
          if (p.rows[i]!.rowid <= p.rows[i - 1]!.rowid) throw new HubError('INVALID_PARAMS', 'rows not ascending');
        }
        for (const row of p.rows) {
          if (row.rowid <= a.hwm) continue;
          a.rows.set(row.rowid, row);
          a.hwm = row.rowid;
        }
        const answer = { account: p.account, epoch: a.epoch, acked: a.hwm };
        if (this.#holdAcks) await new Promise<void>((resolve) => this.#holdAcks?.push(resolve) ?? resolve());
        return answer;
      }
      case 'epoch.new': {
        const p = parseParams('epoch.new', params);
        this.epochRequests.push(p.reason);
        const a = this.account(p.account);
        a.epoch += 1;
        a.hwm = 0;
        a.rows.clear();
        return { name: p.account, epoch: a.epoch, hwm: 0 };
      }
      case 'upload.begin': {
        const id = randomUUID();
        this.#uploads.set(id, []);
        return { upload_id: id, chunk_bytes: 64 * 1024 };
      }
      case 'upload.chunk': {
        const p = parseParams('upload.chunk', params);
        this.#uploads.get(p.upload_id)?.push(Buffer.from(p.data, 'base64'));
        return {};
      }
      case 'upload.finish': {
        const p = parseParams('upload.finish', params);
        const bytes = Buffer.concat(this.#uploads.get(p.upload_id) ?? []);
        const sha = this.putBlob(bytes);
        if (sha !== p.sha256) throw new HubError('INVALID_PARAMS', 'sha256 mismatch');
        return { sha256: sha, size: bytes.length };
      }
      case 'blob.read': {
        const p = parseParams('blob.read', params);
        const bytes = this.blobs.get(p.sha256);
        if (!bytes) throw new HubError('NOT_FOUND', 'no such blob');
        const data = bytes.subarray(p.offset, p.offset + p.length);
        return { data: data.toString('base64'), size: bytes.length, eof: p.offset + data.length >= bytes.length };
      }
      default:
        throw new HubError('NOT_FOUND', `fake hub does not know ${method}`);
    }
  }
}
