import type { HubMessage } from '@imsg-hub/hub-protocol';
import type { WebhookConfig } from '../config.js';
import type { MessageModel } from '../model/message-model.js';
import type { FeedPage, WebhookFeed } from './webhook-feed.js';

export interface MessageEvent {
  id: number;
  type: 'message';
  message: HubMessage;
}

/** The merged message stream for a webhook: its accounts (merged among them) and chats. */
export class MessageFeed implements WebhookFeed<MessageEvent> {
  readonly cursorSuffix = '';
  readonly #config: WebhookConfig;
  readonly #model: MessageModel;

  constructor(config: WebhookConfig, model: MessageModel) {
    this.#config = config;
    this.#model = model;
  }

  async start(): Promise<number> {
    return this.#config.since ?? this.#model.maxSeq;
  }

  async page(after: number, limit: number): Promise<FeedPage<MessageEvent>> {
    const c = this.#config;
    const rows = await this.#model.after(after, { merged: true, includeReactions: true, ...(c.accounts ? { accounts: c.accounts } : {}) }, limit);
    const events = rows.filter((m) => !c.chats || c.chats.includes(m.chat_id)).map((message) => ({ id: message.id, type: 'message' as const, message }));
    return { events, last: rows[rows.length - 1]?.id };
  }
}
