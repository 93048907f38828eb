import type { AccountRecord, OutboxRecord } from '@imsg-hub/store';
import { describe, expect, it } from 'vitest';
import type { AccountHealthState } from './agent-registry.js';
import { HubMetrics } from './metrics.js';

const account = (name: string, hwm: number, lastRowAt?: string): AccountRecord => ({ name, epoch: 1, hwm, lastRowAt, messageCount: hwm });
const send = (key: string, accountName: string, state: OutboxRecord['state'], createdAt: string, updatedAt = createdAt): OutboxRecord =>
  ({ key, account: accountName, state, createdAt, updatedAt }) as OutboxRecord;

async function value(metrics: HubMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const { values } = await metrics.registry.getSingleMetric(name)!.get();
  return values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l) && Object.keys(v.labels).length === Object.keys(labels).length)?.value;
}

describe('HubMetrics', () => {
  it('gives every account every scrape-time series, zeros included', async () => {
    const metrics = new HubMetrics(false);
    const now = Date.parse('2026-01-01T00:10:00Z');
    const health = new Map<string, AccountHealthState>([['alice', { state: 'stalled', newestRowid: 130, restarts: 2, updatedAt: now }]]);
    await metrics.refresh({
      now,
      accounts: [account('alice', 100, '2026-01-01T00:09:00Z'), account('idle', 0)],
      store: {
        outboxCounts: async () => new Map([['alice', { queued: 2, dispatched: 1, in_doubt: 3 }]]),
        outbox: async () => [send('a', 'alice', 'queued', '2026-01-01T00:05:00Z'), send('b', 'alice', 'queued', '2026-01-01T00:08:00Z')],
      },
      registry: { link: (name) => (name === 'alice' ? ({} as never) : undefined), health: (name) => health.get(name), linkCount: () => 1 },
    });
    expect(await value(metrics, 'imsg_hub_agent_links')).toBe(1);
    expect(await value(metrics, 'imsg_hub_sends', { account: 'alice', state: 'queued' })).toBe(2);
    expect(await value(metrics, 'imsg_hub_sends', { account: 'idle', state: 'dispatched' })).toBe(0);
    expect(await value(metrics, 'imsg_hub_sends', { account: 'alice', state: 'in_doubt' })).toBe(3);
    expect(await value(metrics, 'imsg_hub_outbox_oldest_pending_seconds', { account: 'alice' })).toBe(300);
    expect(await value(metrics, 'imsg_hub_outbox_oldest_pending_seconds', { account: 'idle' })).toBe(0);
    expect(await value(metrics, 'imsg_hub_account_agent_connected', { account: 'idle' })).toBe(0);
    expect(await value(metrics, 'imsg_hub_account_imsg_state', { account: 'alice', state: 'stalled' })).toBe(1);
    expect(await value(metrics, 'imsg_hub_account_imsg_state', { account: 'alice', state: 'running' })).toBe(0);
    expect(await value(metrics, 'imsg_hub_account_imsg_state', { account: 'idle', state: 'unknown' })).toBe(1);
    expect(await value(metrics, 'imsg_hub_account_imsg_restarts', { account: 'alice' })).toBe(2);
    expect(await value(metrics, 'imsg_hub_cursor_lag_rows', { account: 'alice' })).toBe(30);
    expect(await value(metrics, 'imsg_hub_cursor_lag_rows', { account: 'idle' })).toBeUndefined();
    expect(await value(metrics, 'imsg_hub_account_last_message_timestamp_seconds', { account: 'alice' })).toBe(Date.parse('2026-01-01T00:09:00Z') / 1000);
  });

  it('counts transitions per account and times only final states', async () => {
    const metrics = new HubMetrics(false);
    metrics.sendChanged(send('k', 'alice', 'queued', '2026-01-01T00:00:00.000Z'));
    metrics.sendChanged(send('k', 'alice', 'dispatched', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.100Z'));
    metrics.sendChanged(send('k', 'alice', 'sent', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:01.500Z'));
    expect(await value(metrics, 'imsg_hub_send_transitions_total', { account: 'alice', state: 'dispatched' })).toBe(1);
    // Histogram values name their series (`_bucket`, `_sum`, `_count`) in metricName.
    const { values } = (await metrics.registry.getSingleMetric('imsg_hub_send_seconds')!.get()) as {
      values: { metricName?: string; labels: Record<string, unknown>; value: number }[];
    };
    const count = values.find((v) => v.metricName === 'imsg_hub_send_seconds_count' && v.labels['state'] === 'sent')?.value;
    const sum = values.find((v) => v.metricName === 'imsg_hub_send_seconds_sum' && v.labels['state'] === 'sent')?.value;
    expect([count, sum]).toEqual([1, 1.5]);
    expect(values.some((v) => v.labels['state'] === 'dispatched')).toBe(false);
  });
});
