/** A page of events for a webhook, and how far the page read (past events the filters dropped). */
export interface FeedPage<E> {
  events: E[];
  /** The highest sequence the page covered; undefined when there was nothing after the cursor. */
  last: number | undefined;
}

/**
 * One kind of event a webhook follows with its own durable cursor: messages (hub sequence), or
 * send events (the send-event log's sequence).
 */
export interface WebhookFeed<E extends { id: number }> {
  /** Appended to the webhook's id to name its cursor ('' for messages, which came first). */
  readonly cursorSuffix: string;
  /** Where a webhook never seen starts. */
  start(): Promise<number>;
  /** Events after `after`, ascending, at most `limit` scanned. */
  page(after: number, limit: number): Promise<FeedPage<E>>;
}
