import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { normalizeHandle } from '@imsg-hub/hub-protocol';
import type { WebSocketLike } from '@imsg-hub/jsonrpc';
import { SqliteStore, type Store } from '@imsg-hub/store';
import type { Logger } from 'pino';
import { AgentRegistry } from './agent-registry.js';
import { BlobStore } from './blob-store.js';
import type { HubConfig } from './config.js';
import { Connection } from './connection.js';
import type { HubContext } from './hub-context.js';
import { IngestQueue } from './ingest-queue.js';
import { HubMetrics } from './metrics.js';
import { Outbox } from './outbox.js';
import { RateLimiter } from './rate-limiter.js';
import { Router } from './router.js';
import { WatchHub } from './watch-hub.js';
import { WebhookDispatcher } from './webhooks/webhook-dispatcher.js';

export const HUB_VERSION = '0.1.0';

/** Handles as chat.db writes them: emails lowercase, phones E.164 when they parse. */
function normalizeOwnHandle(h: string): string {
  try {
    return normalizeHandle(h);
  } catch {
    return h.trim();
  }
}

export interface HubOptions {
  config: HubConfig;
  log: Logger;
  /** Defaults to `<data_dir>/hub.db`. */
  store?: Store;
}

/**
 * The hub core: store, ingest, fan-out, routing and outbox. It is handed sockets; it never opens
 * ports (hub-server.ts does, for the app).
 */
export class Hub implements HubContext {
  readonly config: HubConfig;
  readonly store: Store;
  readonly log: Logger;
  readonly registry = new AgentRegistry();
  readonly ingest: IngestQueue;
  readonly watch: WatchHub;
  readonly outbox: Outbox;
  readonly router: Router;
  readonly blobs: BlobStore;
  readonly metrics: HubMetrics;
  readonly version = HUB_VERSION;
  readonly #connections = new Set<Connection>();
  readonly webhooks: WebhookDispatcher[];
  readonly #revocationTimer: NodeJS.Timeout;

  constructor(options: HubOptions) {
    this.config = options.config;
    this.log = options.log;
    mkdirSync(this.config.data_dir, { recursive: true, mode: 0o700 });
    this.store = options.store ?? new SqliteStore(join(this.config.data_dir, 'hub.db'), { durability: this.config.durability, backgroundCheckpoint: true });
    for (const [name, settings] of Object.entries(this.config.accounts)) {
      this.store.ensureAccount(name);
      if (settings.handles.length)
        this.store.configureHandles(
          name,
          settings.handles.map((h) => normalizeOwnHandle(h)),
        );
    }
    this.metrics = new HubMetrics();
    this.blobs = new BlobStore(this.config.data_dir, this.config.send.max_file_bytes, this.config.max_frame_bytes);
    this.watch = new WatchHub(this.store);
    this.ingest = new IngestQueue(this.store, {
      onCommitted: (stored, previousMax, arrivals) => {
        for (const s of stored) this.metrics.rowsIn.inc({ account: s.account });
        this.watch.committed(stored, previousMax);
        if (stored.length && this.watch.size > 0) {
          const now = performance.now();
          for (const at of arrivals) this.metrics.hubLatency.observe((now - at) / 1000);
        }
        if (stored.length) for (const w of this.webhooks) w.poke();
      },
      onCommitTimed: ({ rows, ms, oldestWaitMs }) => {
        this.metrics.commits.observe(ms / 1000);
        this.metrics.commitRows.observe(rows);
        this.metrics.ingestDelay.observe((oldestWaitMs + ms) / 1000);
      },
    });
    const router = (this.router = new Router(this.store, this.config.routes, this.config.default_account));
    this.outbox = new Outbox(
      {
        store: this.store,
        registry: this.registry,
        router,
        blobs: this.blobs,
        limiter: new RateLimiter(this.config.send.rate_per_minute, this.config.send.burst),
        log: this.log,
      },
      {
        defaultTtlS: this.config.send.queue_ttl_s,
        defaultWaitMs: this.config.send.wait_ms,
        onStateChange: (r) => this.metrics.sendChanged(r),
      },
    );
    this.registry.onChange((account, link) => this.metrics.agentConnected.set({ account }, link ? 1 : 0));
    this.webhooks = this.config.webhooks.map((w) => new WebhookDispatcher(w, { store: this.store, log: this.log }));
    // Whatever a receiver missed while the hub was down goes out now.
    for (const w of this.webhooks) w.poke();
    // Tokens revoked with the CLI while the hub runs end their live connections within seconds.
    this.#revocationTimer = setInterval(() => this.#enforceRevocations(), 2000);
    this.#revocationTimer.unref();
  }

  /** Takes a new WebSocket connection (already upgraded). */
  accept(socket: WebSocketLike & { bufferedAmount?: number }, remote: string): Connection {
    const conn = new Connection(socket, this, remote);
    this.#connections.add(conn);
    this.metrics.clients.inc();
    void conn.peer.closed.then(() => {
      this.#connections.delete(conn);
      this.metrics.clients.dec();
    });
    return conn;
  }

  /** Refreshes gauges that are cheaper to compute on scrape than to track. */
  refreshGauges(): void {
    this.metrics.refresh({ store: this.store, registry: this.registry, now: Date.now() });
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  #enforceRevocations(): void {
    for (const conn of this.#connections) {
      if (conn.tokenId && this.store.token(conn.tokenId)?.revokedAt) conn.revoke();
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#revocationTimer);
    for (const w of this.webhooks) w.close();
    this.outbox.close();
    await Promise.all([...this.#connections].map((c) => c.peer.close().catch(() => undefined)));
    this.store.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
