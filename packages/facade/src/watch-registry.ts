import { imsgError, intParam, type ImsgSession, type Params } from '@imsg-hub/imsg-protocol';
import type { FacadeContext } from './facade-context.js';
import { FacadeSubscription } from './facade-subscription.js';
import type { Deadline } from './request-clock.js';
import { parseWatchParams } from './watch-params.js';

/** `watch.subscribe` / `watch.unsubscribe`: ids from 1, never reused, any number at once (§2.3, §2.4). */
export class WatchRegistry {
  readonly #ctx: FacadeContext;
  readonly #subs = new Map<number, FacadeSubscription>();
  #nextId = 1;

  constructor(ctx: FacadeContext) {
    this.#ctx = ctx;
    ctx.link.onDown((reason) => {
      for (const sub of this.#subs.values()) sub.linkDropped(reason);
    });
  }

  get size(): number {
    return this.#subs.size;
  }

  async subscribe(params: Params, session: ImsgSession, deadline: Deadline): Promise<{ subscription: number }> {
    const spec = parseWatchParams(params);
    const client = await this.#ctx.link.client(deadline);
    const sub = new FacadeSubscription(this.#nextId++, spec, this.#ctx, { notify: (method, params) => session.notify(method, params), version: '0.9.0' });
    this.#subs.set(sub.id, sub);
    try {
      await deadline.race(sub.open(client), 'starting the watch');
    } catch (err) {
      this.#subs.delete(sub.id);
      sub.close();
      throw err;
    }
    // After the server has written this answer (it does so as soon as we return), not before.
    setImmediate(() => sub.release());
    this.#ctx.log.info({ subscription: sub.id, since: spec.since ?? 'live', chatId: spec.chatId }, 'watch started');
    return { subscription: sub.id };
  }

  /** `{ok:true}` also for unknown or already removed ids, as imsg answers. */
  unsubscribe(params: Params): { ok: true } {
    const id = intParam(params, 'subscription');
    if (id === undefined) throw imsgError.invalidParams('subscription is required');
    this.#subs.get(id)?.close();
    this.#subs.delete(id);
    return { ok: true };
  }

  closeAll(): void {
    for (const sub of this.#subs.values()) sub.close();
    this.#subs.clear();
  }
}
