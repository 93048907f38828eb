import { createHash } from 'node:crypto';

/** The namespace of imsg-hub's attempt ids (a fixed random UUID; changing it changes every id). */
export const ATTEMPT_NAMESPACE = '3f0b8c52-7d1e-4a6b-9c2f-5e8d1a7b4c90';

/** A name-based UUID (RFC 9562 §5.5, version 5: SHA-1), lower case. */
export function uuidV5(name: string, namespace: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new TypeError(`not a UUID: ${namespace}`);
  const b = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * The `attempt_id` of a tracked send (reference/imsg-protocol-v1.md §3.13): a UUIDv5 of the hub's
 * idempotency key and the account, so every agent and every retry of that key names the same
 * message guid — a second message with it cannot exist, and `message.send_status` finds the first.
 */
export function attemptId(key: string, account: string): string {
  return uuidV5(`${account}\n${key}`, ATTEMPT_NAMESPACE);
}
