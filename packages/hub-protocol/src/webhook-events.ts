import { z } from 'zod';
import { HubMessageSchema } from './hub-message.js';
import { SendOutcomeSchema } from './send.js';

// What webhooks POST (docs/webhooks.md): messages of the merged stream, and sends' outcomes and
// receipts. Each kind has its own sequence and cursor, so a batch holds one kind.

/** Send event types: a send or action reached an outcome, or its recipient's device moved it on. */
export const SEND_EVENT_TYPES = ['send.sent', 'send.delivered', 'send.read', 'send.failed', 'send.expired', 'send.in_doubt'] as const;
export const SendEventTypeSchema = z.enum(SEND_EVENT_TYPES);
export type SendEventType = z.infer<typeof SendEventTypeSchema>;

/** What a webhook subscribes to: `message`, a send event type, or `send.*` (every send event type). */
export const WebhookEventFilterSchema = z.union([z.literal('message'), SendEventTypeSchema, z.literal('send.*')]);
export type WebhookEventFilter = z.infer<typeof WebhookEventFilterSchema>;

/** The event type of a send's logged change: its state, or for a sent message how far it got. */
export function sendEventType(state: string, delivery: string | undefined): SendEventType | undefined {
  const type = `send.${state === 'sent' ? (delivery ?? 'sent') : state}`;
  return (SEND_EVENT_TYPES as readonly string[]).includes(type) ? (type as SendEventType) : undefined;
}

/** `id` is the message's hub id. */
export const WebhookMessageEventSchema = z.object({ id: z.number().int().positive(), type: z.literal('message'), message: HubMessageSchema });

/**
 * `id` is the send-event sequence (not a hub message id); `at` when the change was recorded;
 * `send` the send's outcome when the batch was built (it may already be further along).
 */
export const WebhookSendEventSchema = z.object({
  id: z.number().int().positive(),
  type: SendEventTypeSchema,
  at: z.string(),
  /** The imsg method: `send`, or an action (`tapback`, `message.edit` …). */
  method: z.string(),
  send: SendOutcomeSchema,
});
export type WebhookSendEvent = z.infer<typeof WebhookSendEventSchema>;

export const WebhookMessageBatchSchema = z.object({ webhook: z.string(), events: z.array(WebhookMessageEventSchema) });
export const WebhookSendBatchSchema = z.object({ webhook: z.string(), events: z.array(WebhookSendEventSchema) });
/** One POST body: a batch of messages, or a batch of send events. */
export const WebhookBatchSchema = z.union([WebhookMessageBatchSchema, WebhookSendBatchSchema]);
export type WebhookBatch = z.infer<typeof WebhookBatchSchema>;
