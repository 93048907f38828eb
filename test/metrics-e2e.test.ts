import { HubClient } from '@imsg-hub/hub-client';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// Issue 6, /metrics: a real hub and agent; rows and sends go through, and a scrape of the
// Prometheus text shows each series and its values moving (docs/operations.md lists them).

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format; a line that is not a comment, blank or a sample fails. */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    const raw = m[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    if (Number.isNaN(value) && raw !== 'NaN') throw new Error(`bad value in: ${line}`);
    samples.push({ name: m[1]!, labels, value });
  }
  return { samples, types };
}

/** One scrape: `get(name, labels)` is the sample's value, undefined when the series is absent. */
async function scrape(httpUrl: string) {
  const res = await fetch(new URL('metrics', httpUrl));
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const { samples, types } = parseExposition(await res.text());
  const get = (name: string, labels: Record<string, string> = {}) =>
    samples.find(
      (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v) && Object.keys(s.labels).length === Object.keys(labels).length,
    )?.value;
  return { samples, types, get };
}

describe('/metrics end to end', () => {
  it('rows in, sends by state and their latency, agent links, connection and cursor lag per account, commit histograms', async () => {
    await using tmp = tempDir('metrics-e2e-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [{ name: 'alice', handles: ['alice@example.com'], via: 'local' }],
      // "ghost" is configured but has no agent: its series must exist, saying so.
      hubConfig: { accounts: { alice: { handles: ['alice@example.com'] }, ghost: { handles: ['ghost@example.com'] } } },
      // Frequent probes report the Mac's newest rowid, which the cursor lag is computed from.
      agentConfig: { watchdog: { probe_interval_ms: 200, stall_ms: 60_000, probe_timeout_ms: 20_000 } },
    });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken });
    const alice = fleet.agents.get('alice')!;

    const first = await waitFor(async () => {
      const s = await scrape(fleet.hub.httpUrl);
      return s.get('imsg_hub_account_imsg_state', { account: 'alice', state: 'running' }) === 1 && s;
    }, 20_000);
    expect(first.get('imsg_hub_agent_links')).toBe(1);
    expect(first.get('imsg_hub_account_agent_connected', { account: 'alice' })).toBe(1);
    expect(first.get('imsg_hub_account_agent_connected', { account: 'ghost' })).toBe(0);
    expect(first.get('imsg_hub_account_imsg_state', { account: 'ghost', state: 'unknown' })).toBe(1);
    expect(first.get('imsg_hub_account_imsg_state', { account: 'ghost', state: 'running' })).toBe(0);
    expect(first.get('imsg_hub_client_connections')).toBeGreaterThanOrEqual(1);
    expect(first.get('imsg_hub_process_cpu_seconds_total')).toBeGreaterThan(0);
    const rowsBefore = first.get('imsg_hub_rows_in_total', { account: 'alice' }) ?? 0;
    const commitsBefore = first.get('imsg_hub_commit_seconds_count') ?? 0;
    for (const [name, type] of [
      ['imsg_hub_rows_in_total', 'counter'],
      ['imsg_hub_sends', 'gauge'],
      ['imsg_hub_send_transitions_total', 'counter'],
      ['imsg_hub_send_seconds', 'histogram'],
      ['imsg_hub_commit_seconds', 'histogram'],
      ['imsg_hub_ingest_delay_seconds', 'histogram'],
      ['imsg_hub_cursor_lag_rows', 'gauge'],
      ['imsg_hub_outbox_oldest_pending_seconds', 'gauge'],
    ]) {
      expect(first.types.get(name!), name).toBe(type);
    }

    // Rows in: counted per account, through group commits whose histograms move.
    for (let i = 0; i < 5; i++) fleet.world.inject({ account: 'alice', from: '+14155550123', text: `metrics ${i}` });
    const afterRows = await waitFor(async () => {
      const s = await scrape(fleet.hub.httpUrl);
      return (s.get('imsg_hub_rows_in_total', { account: 'alice' }) ?? 0) >= rowsBefore + 5 && s;
    }, 20_000);
    expect(afterRows.get('imsg_hub_rows_in_total', { account: 'alice' })).toBe(rowsBefore + 5);
    expect(afterRows.get('imsg_hub_rows_in_total', { account: 'ghost' })).toBeUndefined();
    expect(afterRows.get('imsg_hub_commit_seconds_count')).toBeGreaterThan(commitsBefore);
    expect(afterRows.get('imsg_hub_commit_rows_sum')).toBeGreaterThanOrEqual(5);
    expect(afterRows.get('imsg_hub_ingest_delay_seconds_count')).toBeGreaterThan(0);
    expect(afterRows.get('imsg_hub_account_last_message_timestamp_seconds', { account: 'alice' })).toBeGreaterThan(0);
    // The agent's next probe sees the Mac's newest row stored: lag 0.
    await waitFor(async () => (await scrape(fleet.hub.httpUrl)).get('imsg_hub_cursor_lag_rows', { account: 'alice' }) === 0, 20_000);

    // A send while the agent is away waits in the outbox: the gauges say so.
    await alice.stop();
    const offline = await waitFor(async () => {
      const s = await scrape(fleet.hub.httpUrl);
      return s.get('imsg_hub_account_agent_connected', { account: 'alice' }) === 0 && s;
    }, 20_000);
    expect(offline.get('imsg_hub_agent_links')).toBe(0);
    expect(offline.get('imsg_hub_account_imsg_state', { account: 'alice', state: 'unknown' })).toBe(1);
    const queued = await client.call('send', { target: '+14155550123', account: 'alice', text: 'while away', queue_ttl_s: 120, wait_ms: 0 });
    expect(queued.state).toBe('queued');
    const waiting = await waitFor(async () => {
      const s = await scrape(fleet.hub.httpUrl);
      return (s.get('imsg_hub_outbox_oldest_pending_seconds', { account: 'alice' }) ?? 0) > 0 && s;
    }, 10_000);
    expect(waiting.get('imsg_hub_sends', { account: 'alice', state: 'queued' })).toBe(1);
    expect(waiting.get('imsg_hub_sends', { account: 'ghost', state: 'queued' })).toBe(0);
    expect(waiting.get('imsg_hub_send_transitions_total', { account: 'alice', state: 'queued' })).toBe(1);
    expect(waiting.get('imsg_hub_send_transitions_total', { account: 'alice', state: 'sent' })).toBeUndefined();

    // The agent comes back: the send goes out once, and every gauge returns to rest.
    alice.start();
    const final = await waitFor(async () => {
      const s = await client.call('send.status', { idempotency_key: queued.idempotency_key });
      return ['sent', 'failed', 'expired'].includes(s.state) && s;
    }, 30_000);
    expect(final.state).toBe('sent');
    const after = await waitFor(async () => {
      const s = await scrape(fleet.hub.httpUrl);
      return s.get('imsg_hub_account_agent_connected', { account: 'alice' }) === 1 && s;
    }, 20_000);
    expect(after.get('imsg_hub_send_transitions_total', { account: 'alice', state: 'dispatched' })).toBe(1);
    expect(after.get('imsg_hub_send_transitions_total', { account: 'alice', state: 'sent' })).toBe(1);
    expect(after.get('imsg_hub_sends', { account: 'alice', state: 'queued' })).toBe(0);
    expect(after.get('imsg_hub_sends', { account: 'alice', state: 'dispatched' })).toBe(0);
    expect(after.get('imsg_hub_outbox_oldest_pending_seconds', { account: 'alice' })).toBe(0);
    expect(after.get('imsg_hub_send_seconds_count', { state: 'sent' })).toBe(1);
    expect(after.get('imsg_hub_send_seconds_bucket', { state: 'sent', le: '+Inf' })).toBe(1);
    expect(after.get('imsg_hub_send_seconds_sum', { state: 'sent' })).toBeGreaterThan(0);
    expect(after.get('imsg_hub_agent_links')).toBe(1);
    // The sent message's echo row is stored like any other row.
    await waitFor(async () => ((await scrape(fleet.hub.httpUrl)).get('imsg_hub_rows_in_total', { account: 'alice' }) ?? 0) >= rowsBefore + 6, 20_000);
  }, 90_000);
});
