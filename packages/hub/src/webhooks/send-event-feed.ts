import { type SendEventType, sendEventType, type WebhookSendEvent } from '@imsg-hub/hub-protocol';
import type { Store } from '@imsg-hub/store';
import type { WebhookConfig } from '../config.js';
import type { MessageModel } from '../model/message-model.js';
import { sendOutcome } from '../model/send-outcome.js';
import type { FeedPage, WebhookFeed } from './webhook-feed.js';

/**
 * Sends' outcomes and receipts for a webhook (docs/webhooks.md "Send events"), from the store's
 * send-event log: the types it subscribed to, of its accounts, and with `chats`, of sends whose
 * chat (or a chat linked into the same conversation) is one of them.
 */
export class SendEventFeed implements WebhookFeed<WebhookSendEvent> {
  readonly cursorSuffix = ':sends';
  readonly #config: WebhookConfig;
  readonly #store: Store;
  readonly #model: MessageModel;
  readonly #types: ReadonlySet<SendEventType>;

  constructor(config: WebhookConfig, store: Store, model: MessageModel, types: ReadonlySet<SendEventType>) {
    this.#config = config;
    this.#store = store;
    this.#model = model;
    this.#types = types;
  }

  /** Send events start when the webhook first asks for them; `since` counts messages only. */
  start(): Promise<number> {
    return this.#store.maxSendEventSeq();
  }

  async page(after: number, limit: number): Promise<FeedPage<WebhookSendEvent>> {
    const c = this.#config;
    const entries = await this.#store.sendEvents({ afterSeq: after, limit, ...(c.accounts ? { accounts: c.accounts } : {}) });
    const events: WebhookSendEvent[] = [];
    for (const e of entries) {
      const type = sendEventType(e.state, e.delivery);
      if (!type || !this.#types.has(type)) continue;
      const record = await this.#store.outboxGet(e.key);
      if (!record) continue;
      if (c.chats && !this.#inChats(record.chatId, c.chats)) continue;
      events.push({ id: e.seq, type, at: e.at, method: record.method, send: sendOutcome(record) });
    }
    return { events, last: entries[entries.length - 1]?.seq };
  }

  #inChats(chatId: number | undefined, chats: readonly number[]): boolean {
    if (chatId === undefined) return false;
    return this.#model.conversation(chatId).some((chat) => chats.includes(chat.id)) || chats.includes(chatId);
  }
}
