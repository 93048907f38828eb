import { setTimeout as sleep } from 'node:timers/promises';
import type { ImsgClient, SendStatusResult } from '@imsg-hub/imsg-protocol';

/**
 * Whether a message with this guid exists in chat.db, by imsg's `message.send_status`
 * (reference/imsg-protocol-v1.md §3.14): a row exists when `status_fields` is an object; with no
 * row imsg answers `pending` with `status_fields: null`. Never a search by text.
 */
export async function lookupSent(client: ImsgClient, guid: string, timeoutMs: number): Promise<SendStatusResult | undefined> {
  const status = await client.sendStatus(guid, timeoutMs);
  return status.status_fields !== null ? status : undefined;
}

/**
 * Polls `lookupSent` until the row appears or `waitMs` passes (Messages may write it a moment after
 * imsg answered). Errors of one poll (chat.db briefly unreadable) are retried; a closed imsg ends it.
 */
export async function awaitSent(
  client: ImsgClient,
  guid: string,
  options: { waitMs: number; pollMs?: number; timeoutMs: number },
): Promise<SendStatusResult | undefined> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    if (client.peer.isClosed) return undefined;
    const found = await lookupSent(client, guid, options.timeoutMs).catch(() => undefined);
    if (found || Date.now() >= deadline) return found;
    await sleep(options.pollMs ?? 200);
  }
}

/** The send result a lookup proves: what imsg would have answered, marked as resolved by status. */
export function resultFromStatus(status: SendStatusResult, attemptId: string): Record<string, unknown> {
  return {
    ok: true,
    transport: 'bridge',
    guid: status.guid,
    message_id: status.guid,
    attempt_id: attemptId,
    ...(status.service ? { service: status.service } : {}),
    send_state: status.send_state,
    resolved_by: 'message.send_status',
  };
}
