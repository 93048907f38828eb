import type { OutboxRecord } from '@imsg-hub/store';

// Idempotency keys are per token (issue 10): the outbox stores `<token id>:<client key>`, so one
// tenant's key never meets, reveals or blocks another's.

/** The outbox key of a client's idempotency key. */
export function scopedKey(client: { id: string }, key: string): string {
  return `${client.id}:${key}`;
}

/** A token id as token-auth makes them (10 of a–z without l, 2–9), then the separator. */
const SCOPE = /^[a-km-z2-9]{10}:/;

/** The key as its client gave it. */
export function clientKey(record: Pick<OutboxRecord, 'key' | 'client'>): string {
  if (record.client && record.key.startsWith(`${record.client}:`)) return record.key.slice(record.client.length + 1);
  return record.key;
}

/** The client's key inside a message's `send_key` (the message does not know the token). */
export function clientSendKey(key: string): string {
  return key.replace(SCOPE, '');
}
