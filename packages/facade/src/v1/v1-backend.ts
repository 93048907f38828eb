import { DeliveryFailure, imsgError, imsgV1Error, type ImsgV1Backend, type ImsgV1Call } from '@imsg-hub/imsg-protocol';
import { RpcError } from '@imsg-hub/jsonrpc';
import type { FacadeContext } from '../facade-context.js';
import { FacadeError, toImsgRpcError } from '../facade-errors.js';
import { Deadline } from '../request-clock.js';
import { messageEdit, messageUnsend, tapback } from './action-methods.js';
import { groupAddParticipant, groupLeave, groupRemoveParticipant, groupRename, groupSetIcon, pollSend, pollUnvote, pollVote } from './chat-methods.js';
import { sendAttachment, sendMultipart, sendRich } from './rich-send-methods.js';
import { ImsgVerbatim } from './delivery-outcome.js';
import { read, typing } from './passthrough-methods.js';
import { chatsGet, chatsList, messagesAfter, messagesHistory, messagesSearch } from './read-methods.js';
import { messageSendStatus, send } from './send-methods.js';
import { initialize, status } from './status-methods.js';
import type { V1Handler } from './v1-handler.js';
import { watchSubscribe, watchUnsubscribe } from './watch-methods.js';

/** Every method the facade answers as imsg 0.15 (FACADE_V1_METHODS); the rest of imsg's table get -32601. */
const HANDLERS: Readonly<Record<string, V1Handler>> = {
  initialize,
  status,
  'chats.list': chatsList,
  'chats.get': chatsGet,
  'messages.history': messagesHistory,
  'messages.after': messagesAfter,
  'messages.search': messagesSearch,
  'watch.subscribe': watchSubscribe,
  'watch.unsubscribe': watchUnsubscribe,
  send,
  'send.tracked': send,
  'message.send_status': messageSendStatus,
  tapback,
  'message.edit': messageEdit,
  'message.unsend': messageUnsend,
  typing,
  read,
  'send.rich': sendRich,
  'send.attachment': sendAttachment,
  'send.multipart': sendMultipart,
  'group.rename': groupRename,
  'group.setIcon': groupSetIcon,
  'group.addParticipant': groupAddParticipant,
  'group.removeParticipant': groupRemoveParticipant,
  'group.leave': groupLeave,
  'poll.send': pollSend,
  'messages.poll.send': pollSend,
  'poll.vote': pollVote,
  'messages.poll.vote': pollVote,
  'poll.unvote': pollUnvote,
  'polls.unvote': pollUnvote,
  'messages.poll.unvote': pollUnvote,
};

/** Reads a hub that cannot be reached answer like imsg over a database it cannot open (§2.4). */
const READS = new Set(['chats.list', 'chats.get', 'messages.history', 'messages.after', 'messages.search', 'message.send_status', 'watch.subscribe']);

/**
 * `imsg rpc` protocol v1 answered from the hub (ImsgV1RpcServer does the framing, lanes, limits
 * and EOF drain). Each request is answered within the budget, counted from when its line arrived.
 */
export class FacadeV1Backend implements ImsgV1Backend {
  readonly #ctx: FacadeContext;

  constructor(ctx: FacadeContext) {
    this.#ctx = ctx;
  }

  async handle(call: ImsgV1Call): Promise<unknown> {
    const handler = HANDLERS[call.method];
    if (!handler) throw imsgError.methodNotFound(call.method);
    const deadline = new Deadline(call.receivedAt + this.#ctx.options.requestBudgetMs);
    try {
      return await handler(this.#ctx, call, deadline);
    } catch (err) {
      const error = this.#answer(call.method, err);
      this.#ctx.log.debug({ method: call.method, code: error instanceof RpcError ? error.code : undefined }, 'request failed');
      throw error;
    }
  }

  #answer(method: string, err: unknown): Error {
    if (err instanceof DeliveryFailure || err instanceof ImsgVerbatim) return err;
    if (err instanceof RpcError && typeof err.data === 'string' && !('hubCode' in err)) return err;
    if (READS.has(method) && err instanceof FacadeError && (err.code === 'HUB_UNREACHABLE' || err.code === 'LINK_LOST')) {
      return imsgV1Error.databaseUnavailable(`imsg-hub ${this.#ctx.options.hubUrl}`, `imsg-hub: ${err.message}`);
    }
    return toImsgRpcError(err);
  }

  /** stdin ended and every request drained: drop the hub link. */
  async close(): Promise<void> {
    await this.#ctx.link.close();
    await this.#ctx.log.flush();
  }
}
