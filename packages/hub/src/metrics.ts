import { ImsgStateSchema } from '@imsg-hub/hub-protocol';
import type { AccountRecord, OutboxRecord, Store } from '@imsg-hub/store';
import { Counter, Gauge, Histogram, Summary, Registry, collectDefaultMetrics } from 'prom-client';
import type { AgentRegistry } from './agent-registry.js';

/** Every value `imsg_hub_account_imsg_state` can be 1 for (the agent's states, or unknown when none reported). */
const IMSG_STATES = [...ImsgStateSchema.options, 'unknown'] as const;
const FINAL_STATES = new Set(['sent', 'failed', 'expired', 'in_doubt']);

/** What a scrape reads to refresh the gauges that are cheaper to compute than to track. */
export interface GaugeSources {
  store: Pick<Store, 'outboxCounts' | 'outbox'>;
  accounts: readonly AccountRecord[];
  registry: Pick<AgentRegistry, 'link' | 'health' | 'linkCount'>;
  now: number;
}

/**
 * The hub's Prometheus metrics (docs/operations.md lists them with suggested alerts), in a registry
 * of its own: several hubs can share a process in tests.
 */
export class HubMetrics {
  readonly registry = new Registry();
  readonly rowsIn = new Counter({
    name: 'imsg_hub_rows_in_total',
    help: 'Message rows stored, by account',
    labelNames: ['account'],
    registers: [this.registry],
  });
  readonly commits = new Histogram({
    name: 'imsg_hub_commit_seconds',
    help: 'Duration of one group commit',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
    registers: [this.registry],
  });
  readonly commitRows = new Histogram({
    name: 'imsg_hub_commit_rows',
    help: 'Rows per group commit',
    buckets: [1, 5, 20, 100, 500, 2000, 10000],
    registers: [this.registry],
  });
  /** Rows frame received → its messages handed to subscribers' sockets: what the hub adds. */
  readonly hubLatency = new Summary({
    name: 'imsg_hub_added_latency_seconds',
    help: 'From a rows frame arriving to its messages being written to subscribers (last 5 minutes)',
    percentiles: [0.5, 0.9, 0.99],
    maxAgeSeconds: 300,
    ageBuckets: 5,
    registers: [this.registry],
  });
  readonly ingestDelay = new Histogram({
    name: 'imsg_hub_ingest_delay_seconds',
    help: 'From a rows frame arriving to its commit',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly agentLinks = new Gauge({ name: 'imsg_hub_agent_links', help: 'Connected agent links', registers: [this.registry] });
  readonly clients = new Gauge({ name: 'imsg_hub_client_connections', help: 'Open client connections', registers: [this.registry] });
  readonly sends = new Gauge({
    name: 'imsg_hub_sends',
    help: 'Sends in the outbox not yet final, by account and state',
    labelNames: ['account', 'state'],
    registers: [this.registry],
  });
  readonly sendTransitions = new Counter({
    name: 'imsg_hub_send_transitions_total',
    help: 'Send state changes (queued, dispatched, sent, failed, expired), by account',
    labelNames: ['account', 'state'],
    registers: [this.registry],
  });
  readonly sendLatency = new Histogram({
    name: 'imsg_hub_send_seconds',
    help: 'From a send being queued to its final state, by that state',
    labelNames: ['state'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600],
    registers: [this.registry],
  });
  readonly outboxOldest = new Gauge({
    name: 'imsg_hub_outbox_oldest_pending_seconds',
    help: 'Age of the oldest send not yet final (0 when none), by account',
    labelNames: ['account'],
    registers: [this.registry],
  });
  readonly cursorLag = new Gauge({
    name: 'imsg_hub_cursor_lag_rows',
    help: 'Rows the Mac has that the hub has not stored',
    labelNames: ['account'],
    registers: [this.registry],
  });
  readonly agentConnected = new Gauge({
    name: 'imsg_hub_account_agent_connected',
    help: '1 when the account has a connected agent',
    labelNames: ['account'],
    registers: [this.registry],
  });
  readonly imsgState = new Gauge({
    name: 'imsg_hub_account_imsg_state',
    help: "1 for the account's current imsg state as its agent reports it (unknown without an agent)",
    labelNames: ['account', 'state'],
    registers: [this.registry],
  });
  readonly imsgRestarts = new Gauge({
    name: 'imsg_hub_account_imsg_restarts',
    help: 'imsg restarts the agent reported for the account',
    labelNames: ['account'],
    registers: [this.registry],
  });
  readonly lastMessage = new Gauge({
    name: 'imsg_hub_account_last_message_timestamp_seconds',
    help: "created_at of the account's newest stored message (Unix time)",
    labelNames: ['account'],
    registers: [this.registry],
  });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'imsg_hub_' });
  }

  /** Counts a send's state change; a final one also records how long it took since it was queued. */
  sendChanged(record: OutboxRecord): void {
    this.sendTransitions.inc({ account: record.account, state: record.state });
    if (FINAL_STATES.has(record.state)) {
      const seconds = (Date.parse(record.updatedAt) - Date.parse(record.createdAt)) / 1000;
      if (Number.isFinite(seconds)) this.sendLatency.observe({ state: record.state }, Math.max(0, seconds));
    }
  }

  /** Sets the scrape-time gauges; every known account gets every series, so alerts see zeros too. */
  async refresh({ store, accounts, registry, now }: GaugeSources): Promise<void> {
    this.agentLinks.set(registry.linkCount());
    const counts = await store.outboxCounts();
    const oldest = new Map<string, number>();
    for (const r of await store.outbox({ states: ['queued', 'dispatched'] })) if (!oldest.has(r.account)) oldest.set(r.account, Date.parse(r.createdAt));
    for (const a of accounts) {
      const account = a.name;
      const c = counts.get(account) ?? { queued: 0, dispatched: 0, in_doubt: 0 };
      this.sends.set({ account, state: 'queued' }, c.queued);
      this.sends.set({ account, state: 'dispatched' }, c.dispatched);
      this.sends.set({ account, state: 'in_doubt' }, c.in_doubt);
      const since = oldest.get(account);
      this.outboxOldest.set({ account }, since === undefined ? 0 : Math.max(0, (now - since) / 1000));
      const connected = registry.link(account) !== undefined;
      this.agentConnected.set({ account }, connected ? 1 : 0);
      const h = registry.health(account);
      const state = connected ? (h?.state ?? 'unknown') : 'unknown';
      for (const s of IMSG_STATES) this.imsgState.set({ account, state: s }, s === state ? 1 : 0);
      if (h?.restarts !== undefined) this.imsgRestarts.set({ account }, h.restarts);
      if (h?.newestRowid !== undefined) this.cursorLag.set({ account }, Math.max(0, h.newestRowid - a.hwm));
      const lastRowAt = a.lastRowAt ? Date.parse(a.lastRowAt) : NaN;
      if (Number.isFinite(lastRowAt)) this.lastMessage.set({ account }, lastRowAt / 1000);
    }
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
