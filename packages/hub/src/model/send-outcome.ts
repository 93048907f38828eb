import type { SendOutcome } from '@imsg-hub/hub-protocol';
import type { OutboxRecord } from '@imsg-hub/store';
import { clientKey } from './idempotency-key.js';

/** The client-facing view of a send record. */
export function sendOutcome(r: OutboxRecord): SendOutcome {
  return {
    idempotency_key: clientKey(r),
    state: r.state,
    account: r.account,
    target: r.target,
    route: r.route,
    ...(r.chatId !== undefined ? { chat_id: r.chatId } : {}),
    ...(r.result ? { result: r.result } : {}),
    ...(r.messageSeq !== undefined ? { message_id: r.messageSeq } : {}),
    ...(r.error ? { error: r.error } : {}),
    created_at: r.createdAt,
    updated_at: r.updatedAt,
  };
}
