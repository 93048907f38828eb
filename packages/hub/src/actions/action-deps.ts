import type { ChatRecord, Store } from '@imsg-hub/store';
import type { AgentRegistry } from '../agent-registry.js';
import type { BlobStore } from '../blob-store.js';
import type { MessageModel } from '../model/message-model.js';
import type { Outbox } from '../outbox.js';
import type { Router } from '../router.js';

/** What the hub's actions (on messages, on chats, rich sends) route, gate and record with. */
export interface ActionDeps {
  store: Store;
  model: MessageModel;
  registry: AgentRegistry;
  outbox: Outbox;
  router: Router;
  blobs: BlobStore;
  defaultAccount: string | undefined;
}

/** The one imsg chat selector that names a stored chat in its account's chat.db (imsg 0.15 refuses two). */
export function chatSelector(chat: ChatRecord): { chat_guid: string } | { chat_identifier: string } {
  return chat.guid.startsWith('identifier:') ? { chat_identifier: chat.identifier } : { chat_guid: chat.guid };
}
