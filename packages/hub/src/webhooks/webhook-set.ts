import { SEND_EVENT_TYPES, type SendEventType } from '@imsg-hub/hub-protocol';
import type { Store } from '@imsg-hub/store';
import type { Logger } from 'pino';
import type { WebhookConfig } from '../config.js';
import type { MessageModel } from '../model/message-model.js';
import { SendEventFeed } from './send-event-feed.js';
import { WebhookDispatcher } from './webhook-dispatcher.js';

/** The send event types a webhook's `events` names (`send.*`: all of them). */
export function sendTypesOf(config: WebhookConfig): Set<SendEventType> {
  const all = config.events.includes('send.*');
  return new Set(SEND_EVENT_TYPES.filter((t) => all || (config.events as readonly string[]).includes(t)));
}

/**
 * Every configured webhook's dispatchers: one for messages (when it asks for `message`) and one
 * for send events (when it asks for any), each with its own cursor.
 */
export class WebhookSet {
  readonly messages: WebhookDispatcher[] = [];
  readonly sends: WebhookDispatcher[] = [];

  /** `holder` names this hub in webhook leases: of several hubs on one store, one delivers each feed. */
  constructor(configs: readonly WebhookConfig[], deps: { store: Store; model: MessageModel; log: Logger; holder?: string }) {
    for (const config of configs) {
      if (config.events.includes('message')) this.messages.push(new WebhookDispatcher(config, deps));
      const types = sendTypesOf(config);
      if (types.size > 0) this.sends.push(new WebhookDispatcher(config, { ...deps, feed: new SendEventFeed(config, deps.store, deps.model, types) }));
    }
  }

  /** Messages were committed. */
  pokeMessages(): void {
    for (const w of this.messages) w.poke();
  }

  /** A send changed (here or, on a shared database, at another hub). */
  pokeSends(): void {
    for (const w of this.sends) w.poke();
  }

  /** Whatever a receiver missed while the hub was down goes out now. */
  start(): void {
    this.pokeMessages();
    this.pokeSends();
  }

  /** Stops every dispatcher and gives its lease up (while the store is still open). */
  async close(): Promise<void> {
    await Promise.all([...this.messages, ...this.sends].map((w) => w.close()));
  }
}
