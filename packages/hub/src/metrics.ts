import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The hub's Prometheus metrics, in a registry of its own (several hubs can share a process in tests). */
export class HubMetrics {
  readonly registry = new Registry();
  readonly rowsIn = new Counter({ name: 'imsg_hub_rows_in_total', help: 'Message rows stored, by account', labelNames: ['account'], registers: [this.registry] });
  readonly rowsDuplicate = new Counter({ name: 'imsg_hub_rows_ignored_total', help: 'Rows received that were already stored (redelivery)', registers: [this.registry] });
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
  readonly ingestDelay = new Histogram({
    name: 'imsg_hub_ingest_delay_seconds',
    help: 'From a rows frame arriving to its commit',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers: [this.registry],
  });
  readonly agentLinks = new Gauge({ name: 'imsg_hub_agent_links', help: 'Connected agent links', registers: [this.registry] });
  readonly clients = new Gauge({ name: 'imsg_hub_client_connections', help: 'Open client connections', registers: [this.registry] });
  readonly sends = new Gauge({ name: 'imsg_hub_sends', help: 'Sends by state', labelNames: ['state'], registers: [this.registry] });
  readonly sendTransitions = new Counter({ name: 'imsg_hub_send_transitions_total', help: 'Send state changes', labelNames: ['state'], registers: [this.registry] });
  readonly cursorLag = new Gauge({ name: 'imsg_hub_cursor_lag_rows', help: 'Rows the Mac has that the hub has not stored', labelNames: ['account'], registers: [this.registry] });
  readonly agentConnected = new Gauge({ name: 'imsg_hub_account_agent_connected', help: '1 when the account has a connected agent', labelNames: ['account'], registers: [this.registry] });

  constructor(defaults = true) {
    if (defaults) collectDefaultMetrics({ register: this.registry, prefix: 'imsg_hub_' });
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
