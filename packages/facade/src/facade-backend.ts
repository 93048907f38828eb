import { imsgError, type ImsgBackend, type ImsgSession, type Params } from '@imsg-hub/imsg-protocol';
import { chatsList } from './chats-method.js';
import type { FacadeContext } from './facade-context.js';
import { toImsgRpcError } from './facade-errors.js';
import { messagesHistory } from './history-method.js';
import { imsgCall } from './imsg-call-method.js';
import { Deadline, type ArrivalClock } from './request-clock.js';
import { send } from './send-method.js';
import { WatchRegistry } from './watch-registry.js';

/**
 * `imsg rpc` answered from the hub. imsg 0.9's other methods (send.rich, tapback, chats.create, …)
 * get -32601 like an imsg built without them, and `imsg-hub status` does not list them.
 */
export class FacadeBackend implements ImsgBackend {
  readonly #ctx: FacadeContext;
  readonly #clock: ArrivalClock;
  readonly #watches: WatchRegistry;

  constructor(ctx: FacadeContext, clock: ArrivalClock) {
    this.#ctx = ctx;
    this.#clock = clock;
    this.#watches = new WatchRegistry(ctx);
  }

  async handle(method: string, params: Params, session: ImsgSession): Promise<unknown> {
    const deadline = new Deadline(this.#clock.take() + this.#ctx.options.requestBudgetMs);
    try {
      switch (method) {
        case 'chats.list':
          return await chatsList(this.#ctx, params, deadline);
        case 'messages.history':
          return await messagesHistory(this.#ctx, params, deadline);
        case 'watch.subscribe':
          return await this.#watches.subscribe(params, session, deadline);
        case 'watch.unsubscribe':
          return this.#watches.unsubscribe(params);
        case 'send':
          return await send(this.#ctx, params, deadline);
        case 'typing':
        case 'read':
          return await imsgCall(this.#ctx, method, params, deadline);
        default:
          throw imsgError.methodNotFound(method);
      }
    } catch (err) {
      const error = toImsgRpcError(err);
      this.#ctx.log.debug({ method, code: error.code, data: error.data }, 'request failed');
      throw error;
    }
  }

  /** stdin ended: stop every watch and drop the hub link. */
  async close(): Promise<void> {
    this.#watches.closeAll();
    await this.#ctx.link.close();
    await this.#ctx.log.flush();
  }
}
