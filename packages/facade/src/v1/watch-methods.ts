import { AfterResponse, imsgError, imsgV1Error, type StrictJson, StrictParams, watchParams } from '@imsg-hub/imsg-protocol';
import { FacadeSubscription } from '../facade-subscription.js';
import type { WatchSpec } from '../watch-params.js';
import { filterOf } from './read-methods.js';
import type { V1Handler } from './v1-handler.js';

// watch.subscribe / watch.unsubscribe of imsg 0.15 (reference/imsg-protocol-v1.md §3.9–3.10), fed
// by a hub watch: the subscribe answer is written before any notification, ids come from the
// server's store (64 at most, never reused), and nothing for a subscription follows the answer to
// its unsubscribe. A hub link that drops is announced with imsg's `error` notification and the
// subscription resumes after its last message when the link is back (imsg would end it).

/** Validates like imsg 0.15 and maps `since_rowid` onto hub ids: absent or 0 → from now; N → after N; negative → everything. */
export function parseWatchV1(raw: Record<string, StrictJson>): WatchSpec & { bufferLimit: number } {
  // debounce batches file events in imsg; the hub pushes each message as it is stored.
  const p = watchParams(raw);
  return {
    since: p.sinceRowId === undefined || p.sinceRowId === 0 ? undefined : Math.max(p.sinceRowId, 0),
    chatId: p.chatId,
    matchesNothing: false,
    filter: filterOf(p),
    attachments: p.attachments,
    includeReactions: p.includeReactions,
    bufferLimit: p.bufferLimit,
  };
}

export const watchSubscribe: V1Handler = async (ctx, call, deadline) => {
  const spec = parseWatchV1(call.params);
  const client = await ctx.link.client(deadline);
  const store = call.session.subscriptions;
  const reserved = store.reserve();
  if (!reserved.ok) throw imsgV1Error.serverBusy(reserved.reason === 'closed' ? 'server is shutting down' : 'subscription limit exceeded');
  const sub = new FacadeSubscription(reserved.id, spec, ctx, { notify: (method, params) => call.session.notify(method, params), version: '0.15.10' });
  const stopLinkNotice = ctx.link.onDown((reason) => sub.linkDropped(reason));
  const stop = () => {
    stopLinkNotice();
    sub.close();
  };
  try {
    await deadline.race(sub.open(client), 'starting the watch');
  } catch (err) {
    store.complete(reserved.id);
    stop();
    throw err;
  }
  const state = store.activate(reserved.id, stop);
  if (state !== 'activated') {
    stop();
    throw imsgV1Error.serverBusy(state === 'closed' ? 'server is shutting down' : 'subscription was cancelled before activation');
  }
  ctx.log.info({ subscription: sub.id, since: spec.since ?? 'live', chatId: spec.chatId }, 'watch started');
  return new AfterResponse({ subscription: sub.id, buffer_limit: spec.bufferLimit }, () => sub.release());
};

/** `{ok:true}` also for unknown or finished ids; nothing for the subscription follows this answer. */
export const watchUnsubscribe: V1Handler = async (_ctx, call) => {
  const params = new StrictParams(call.params, 'watch.unsubscribe', ['subscription']);
  const id = params.integer('subscription');
  if (id === undefined) throw imsgError.invalidParams('subscription is required');
  if (id <= 0) throw imsgError.invalidParams('subscription must be a positive integer');
  await call.session.subscriptions.cancel(id);
  return { ok: true };
};
