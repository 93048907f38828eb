import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { storedHandle } from '@imsg-hub/hub-protocol';
import type { WebSocketLike } from '@imsg-hub/jsonrpc';
import type { Store } from '@imsg-hub/store';
import type { Logger } from 'pino';
import { HubActions } from './actions/hub-actions.js';
import { AgentRegistry } from './agent-registry.js';
import { AccountClaims } from './account-claims.js';
import { BlobCollector } from './blob-collector.js';
import { BlobStore } from './blob-store.js';
import type { HubConfig } from './config.js';
import { Connection, type ConnectionOptions } from './connection.js';
import { CommitFeed } from './commit-feed.js';
import type { HubContext } from './hub-context.js';
import { IngestQueue } from './ingest-queue.js';
import { HubMetrics } from './metrics.js';
import { MessageModel } from './model/message-model.js';
import { sendOutcome } from './model/send-outcome.js';
import { Outbox } from './outbox.js';
import { Router } from './router.js';
import { SendEventPruner } from './send-event-pruner.js';
import { checkReachability } from './actions/reachability.js';
import { WatchHub } from './watch-hub.js';
import { StoreRateLimiter } from './store-rate-limiter.js';
import { WebhookSet } from './webhooks/webhook-set.js';

export const HUB_VERSION = '0.1.0';

export interface HubOptions {
  config: HubConfig;
  log: Logger;
  /** The opened store (apps open it with `openStore` from `@imsg-hub/store/open`); the hub closes it. */
  store: Store;
}

/**
 * The hub core: message model, ingest, fan-out, routing and outbox, over a store port. It is handed
 * sockets; it never opens ports (hub-server.ts does, for the app). Create it with `Hub.open`.
 */
export class Hub implements HubContext {
  readonly config: HubConfig;
  readonly store: Store;
  readonly model: MessageModel;
  readonly feed = new CommitFeed();
  readonly log: Logger;
  readonly registry = new AgentRegistry();
  readonly ingest: IngestQueue;
  readonly watch: WatchHub;
  readonly outbox: Outbox;
  readonly actions: HubActions;
  readonly router: Router;
  readonly blobs: BlobStore;
  readonly blobCollector: BlobCollector;
  readonly sendEventPruner: SendEventPruner;
  readonly metrics: HubMetrics;
  readonly version = HUB_VERSION;
  readonly #connections = new Set<Connection>();
  readonly webhooks: WebhookSet;
  readonly #stopSendEvents: (() => void) | undefined;
  readonly #revocationTimer: NodeJS.Timeout;
  readonly #stopAbsorbing: (() => void) | undefined;
  readonly #claims: AccountClaims | undefined;

  /** Loads the model from the store, registers configured accounts and handles, and starts. */
  static async open(options: HubOptions): Promise<Hub> {
    const model = await MessageModel.load(options.store);
    for (const [name, settings] of Object.entries(options.config.accounts)) {
      await model.ensureAccount(name);
      if (settings.handles.length)
        await model.configureHandles(
          name,
          settings.handles.map((h) => storedHandle(h)),
        );
    }
    return new Hub(options, model);
  }

  private constructor(options: HubOptions, model: MessageModel) {
    this.config = options.config;
    this.log = options.log;
    this.store = options.store;
    this.model = model;
    this.metrics = new HubMetrics();
    this.blobs = new BlobStore(this.config.data_dir, this.config.send.max_file_bytes, this.config.max_frame_bytes, this.store.sharedBlobs);
    this.blobCollector = new BlobCollector({ store: this.store, blobs: this.blobs, log: this.log }, this.config.blobs);
    this.sendEventPruner = new SendEventPruner({ store: this.store, log: this.log }, this.config.send_events);
    this.watch = new WatchHub(model, this.feed, {
      onError: (err) => this.log.error({ err: err.message }, 'watch delivery could not read the store; it resumes on the next commit'),
    });
    this.ingest = new IngestQueue(model, this.feed, {
      onCommitTimed: ({ rows, ms, oldestWaitMs }) => {
        this.metrics.commits.observe(ms / 1000);
        this.metrics.commitRows.observe(rows);
        this.metrics.ingestDelay.observe((oldestWaitMs + ms) / 1000);
      },
    });
    // Several hubs on one store: take in what the others commit (PostgreSQL's LISTEN/NOTIFY).
    this.#stopAbsorbing = this.store.onCommit?.((maxSeq) => this.ingest.absorb(maxSeq));
    this.feed.subscribe(({ records, arrivals }) => {
      for (const r of records) this.metrics.rowsIn.inc({ account: r.account });
      if (this.watch.size > 0) {
        const now = performance.now();
        for (const at of arrivals) this.metrics.hubLatency.observe((now - at) / 1000);
      }
      this.webhooks.pokeMessages();
    });
    const reach = async (accounts: readonly string[], handle: string) => (await checkReachability(this.registry, accounts, handle, 5000)).accounts;
    const router = (this.router = new Router(model, this.config.routes, this.config.default_account, reach));
    // Several hubs on one store: only the hub holding an account's agent link dispatches its sends.
    this.#claims = AccountClaims.for(this.store, this.registry, this.log);
    this.outbox = new Outbox(
      {
        store: this.store,
        registry: this.registry,
        router,
        blobs: this.blobs,
        // In the store: one bucket per account for every hub on it.
        limiter: new StoreRateLimiter(this.store, this.config.send.rate_per_minute, this.config.send.burst),
        log: this.log,
      },
      {
        defaultTtlS: this.config.send.queue_ttl_s,
        defaultWaitMs: this.config.send.wait_ms,
        retry: { baseMs: this.config.send.retry.base_ms, maxMs: this.config.send.retry.max_ms, maxAttempts: this.config.send.retry.max_attempts },
        doubtCheckMs: this.config.send.doubt_check_ms,
        onStateChange: (r) => {
          this.metrics.sendChanged(r);
          this.watch.sendChanged(sendOutcome(r));
          this.webhooks.pokeSends();
        },
        ...this.#claims?.outboxOptions,
      },
    );
    this.#claims?.attach(this.outbox);
    this.actions = new HubActions({
      store: this.store,
      model,
      registry: this.registry,
      outbox: this.outbox,
      router,
      blobs: this.blobs,
      defaultAccount: this.config.default_account,
    });
    this.registry.onChange((account, link) => this.metrics.agentConnected.set({ account }, link ? 1 : 0));
    // Webhook leases name this hub instance: of several hubs on one store, one delivers each webhook.
    const holder = `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
    this.webhooks = new WebhookSet(this.config.webhooks, { store: this.store, model, log: this.log, holder });
    // Several hubs on one store: sends another hub finished reach this hub's webhooks too.
    this.#stopSendEvents = this.webhooks.sends.length ? this.store.onOutbox?.(() => this.webhooks.pokeSends()) : undefined;
    // Whatever a receiver missed while the hub was down goes out now.
    this.webhooks.start();
    // Tokens revoked with the CLI while the hub runs end their live connections within seconds.
    this.#revocationTimer = setInterval(() => void this.#enforceRevocations(), 2000);
    this.#revocationTimer.unref();
  }

  /** Takes a new WebSocket connection (already upgraded). */
  accept(socket: WebSocketLike, remote: string, options: ConnectionOptions = {}): Connection {
    const conn = new Connection(socket, this, remote, options);
    this.#connections.add(conn);
    this.metrics.clients.inc();
    void conn.peer.closed.then(() => {
      this.#connections.delete(conn);
      this.metrics.clients.dec();
    });
    return conn;
  }

  /** Refreshes gauges that are cheaper to compute on scrape than to track. */
  async refreshGauges(): Promise<void> {
    await this.metrics.refresh({ store: this.store, accounts: this.model.accounts.all(), registry: this.registry, now: Date.now() });
  }

  get connectionCount(): number {
    return this.#connections.size;
  }

  async #enforceRevocations(): Promise<void> {
    if (![...this.#connections].some((c) => c.tokenId)) return;
    try {
      const revoked = new Set((await this.store.tokens()).filter((t) => t.revokedAt).map((t) => t.id));
      for (const conn of this.#connections) if (conn.tokenId && revoked.has(conn.tokenId)) conn.revoke();
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'could not check for revoked tokens; will try again');
    }
  }

  async close(): Promise<void> {
    clearInterval(this.#revocationTimer);
    this.blobCollector.close();
    this.sendEventPruner.close();
    await this.webhooks.close(); // leases given up while the store is open
    this.#stopSendEvents?.();
    this.outbox.close();
    this.#stopAbsorbing?.();
    this.#claims?.close();
    await Promise.all([...this.#connections].map((c) => c.peer.close().catch(() => undefined)));
    await this.store.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
