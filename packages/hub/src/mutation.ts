import { createHash } from 'node:crypto';
import type { ActionMethod } from '@imsg-hub/hub-protocol';
import type { OutboxRecord } from '@imsg-hub/store';

/** A routed request for one account's imsg, as the outbox records it. */
export interface Mutation {
  account: string;
  method: 'send' | ActionMethod;
  target: string;
  route: string;
  chatId: number | undefined;
  params: Record<string, unknown>;
  file?: OutboxRecord['file'];
  /** How long it may wait for an offline agent (default: the outbox's). */
  ttlS?: number | undefined;
}

/** What a request under an idempotency key is compared by. */
export const requestHash = (parts: unknown[]) => createHash('sha256').update(JSON.stringify(parts)).digest('hex');
