import { setTimeout as sleep } from 'node:timers/promises';
import { laneOf, type ImsgV1Backend, type ImsgV1Call, type ImsgV1Method } from '@imsg-hub/imsg-protocol';
import {
  messageDelete,
  messageEdit,
  messageNotifyAnyways,
  messageUnsend,
  sendAttachment,
  sendMultipart,
  sendRich,
  tapback,
} from './bridge-message-handlers.js';
import {
  chatsCreate,
  chatsMarkUnread,
  groupAddParticipant,
  groupLeave,
  groupRemoveParticipant,
  groupRename,
  groupSetIcon,
  handlesCheck,
  read,
  typing,
} from './chat-handlers.js';
import { chatsGet, chatsList, messageSendStatus, messagesAfter, messagesHistory, messagesSearch } from './read-handlers.js';
import { send, sendTracked } from './send-handler.js';
import { messagesScheduled, messagesStats } from './stats-handlers.js';
import { initialize, status } from './status-handlers.js';
import { chatsDelete, contactsShare, contactsShouldShare, pollSend, pollUnvote, pollVote, sendSticker } from './unsimulated-handlers.js';
import type { V1Context, V1Handler } from './v1-context.js';
import { bridgeEventsSubscribe, watchSubscribe, watchUnsubscribe } from './watch-handlers.js';

/** Every method of imsg 0.15's table, each with its handler (a missing one fails the typecheck). */
export const V1_HANDLERS = {
  initialize,
  status,
  'watch.unsubscribe': watchUnsubscribe,
  'chats.list': chatsList,
  'chats.get': chatsGet,
  'messages.stats': messagesStats,
  'messages.history': messagesHistory,
  'messages.search': messagesSearch,
  'messages.after': messagesAfter,
  'messages.scheduled': messagesScheduled,
  'watch.subscribe': watchSubscribe,
  'bridge.events.subscribe': bridgeEventsSubscribe,
  'message.send_status': messageSendStatus,
  send,
  'send.tracked': sendTracked,
  'chats.create': chatsCreate,
  'chats.delete': chatsDelete,
  'chats.markUnread': chatsMarkUnread,
  'send.rich': sendRich,
  'send.attachment': sendAttachment,
  'send.multipart': sendMultipart,
  'send.sticker': sendSticker,
  'poll.send': pollSend,
  'messages.poll.send': pollSend,
  'poll.vote': pollVote,
  'messages.poll.vote': pollVote,
  'poll.unvote': pollUnvote,
  'polls.unvote': pollUnvote,
  'messages.poll.unvote': pollUnvote,
  tapback,
  typing,
  read,
  'message.edit': messageEdit,
  'message.unsend': messageUnsend,
  'message.delete': messageDelete,
  'message.notifyAnyways': messageNotifyAnyways,
  'group.rename': groupRename,
  'group.setIcon': groupSetIcon,
  'group.addParticipant': groupAddParticipant,
  'group.removeParticipant': groupRemoveParticipant,
  'group.leave': groupLeave,
  'contacts.shouldShareContact': contactsShouldShare,
  'contacts.shareContactCard': contactsShare,
  'handles.check': handlesCheck,
} satisfies Record<ImsgV1Method, V1Handler>;

/** imsg 0.15 over one simulated account: the handler table plus the test-only slow-read fault. */
export class SimBackendV1 implements ImsgV1Backend {
  readonly #ctx: V1Context;
  readonly #close: () => void;

  constructor(ctx: V1Context, close: () => void) {
    this.#ctx = ctx;
    this.#close = close;
  }

  async handle(call: ImsgV1Call): Promise<unknown> {
    const handler = V1_HANDLERS[call.method as ImsgV1Method];
    if (laneOf(call.method) === 'read') {
      const slow = this.#ctx.faults.current().slow_reads;
      if (slow && (!slow.methods || slow.methods.includes(call.method))) await sleep(slow.ms);
    }
    return handler(this.#ctx, call);
  }

  async close(): Promise<void> {
    this.#close();
  }
}
