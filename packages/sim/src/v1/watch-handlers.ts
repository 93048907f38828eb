import { existsSync, statSync } from 'node:fs';
import {
  AfterResponse,
  bufferLimitParam,
  imsgError,
  imsgV1Error,
  StrictParams,
  watchParams,
  type ImsgV1Call,
  type SubscriptionStore,
} from '@imsg-hub/imsg-protocol';
import { BridgeEventTail } from './bridge-event-tail.js';
import type { V1Handler } from './v1-context.js';
import { WatcherV1 } from './watcher-v1.js';

// watch.subscribe / watch.unsubscribe / bridge.events.subscribe (reference/imsg-protocol-v1.md
// §3.9–3.11): the subscribe response is written before the stream can emit (start gate), the
// 64-subscription cap is shared, and unsubscribe awaits the stream so nothing follows its answer.

const DEFAULT_DEBOUNCE_MS = 500;

function reserve(subscriptions: SubscriptionStore): number {
  const r = subscriptions.reserve();
  if (!r.ok) throw imsgV1Error.serverBusy(r.reason === 'closed' ? 'server is shutting down' : 'subscription limit exceeded');
  return r.id;
}

/** Activates a reserved subscription; the stream starts once the response line is queued. */
function activate(call: ImsgV1Call, id: number, stream: { start(): void; stop(): Promise<void> }, result: unknown): AfterResponse {
  const state = call.session.subscriptions.activate(id, () => stream.stop());
  if (state === 'closed') throw imsgV1Error.serverBusy('server is shutting down');
  if (state === 'removed') throw imsgV1Error.serverBusy('subscription was cancelled before activation');
  return new AfterResponse(result, () => stream.start());
}

export const watchSubscribe: V1Handler = (ctx, call) => {
  const p = watchParams(call.params);
  const { sinceRowId, chatId, includeReactions, attachments, participants, startMs, endMs } = p;
  const debounceMs = p.debounceMs ?? DEFAULT_DEBOUNCE_MS;
  const limit = p.bufferLimit;
  const reader = ctx.db.require();
  const id = reserve(call.session.subscriptions);
  const subscriptions = call.session.subscriptions;
  const watcher = new WatcherV1(
    reader,
    ctx.changesOf(reader),
    {
      sinceRowId,
      chatId,
      includeReactions,
      attachments,
      participants,
      startMs,
      endMs,
      debounceMs,
      pollMs: ctx.pollMs,
      bufferLimit: limit,
      silent: () => ctx.faults.current().watch === 'silent',
    },
    {
      message: (message) => call.session.notify('message', { subscription: id, message }),
      overflow: (resume) =>
        call.session.notify('watch.overflow', { subscription: id, resume_after_rowid: resume, reason: 'buffer_limit_exceeded', terminal: true }),
      error: (message) => call.session.notify('error', { subscription: id, error: { message } }),
      ended: () => subscriptions.complete(id),
    },
  );
  try {
    watcher.prepare();
  } catch (err) {
    subscriptions.complete(id);
    throw err;
  }
  return activate(call, id, watcher, { subscription: id, buffer_limit: limit });
};

export const watchUnsubscribe: V1Handler = async (_ctx, call) => {
  const params = new StrictParams(call.params, 'watch.unsubscribe', ['subscription']);
  const id = params.integer('subscription');
  if (id === undefined) throw imsgError.invalidParams('subscription is required');
  if (id <= 0) throw imsgError.invalidParams('subscription must be a positive integer');
  await call.session.subscriptions.cancel(id);
  return { ok: true };
};

export const bridgeEventsSubscribe: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'bridge.events.subscribe', ['buffer_limit']);
  const limit = bufferLimitParam(params, []);
  if (!ctx.bridge.ready) throw imsgV1Error.bridgeEventsUnavailable(ctx.bridge.status().error ?? 'The bridge is not started.');
  if (!existsSync(ctx.eventLog) || !statSync(ctx.eventLog).isFile()) {
    throw imsgV1Error.bridgeEventsUnavailable('The existing v2 bridge event log is not a readable regular file.');
  }
  const id = reserve(call.session.subscriptions);
  const subscriptions = call.session.subscriptions;
  const tail = new BridgeEventTail(ctx.eventLog, limit, {
    event: (event) => call.session.notify('bridge.event', { subscription: id, event }),
    overflow: () => call.session.notify('bridge.events.overflow', { subscription: id, reason: 'buffer_limit_exceeded', resumable: false, terminal: true }),
    error: (code, message) => call.session.notify('bridge.events.error', { subscription: id, error: { code, message }, terminal: true }),
    ended: () => subscriptions.complete(id),
  });
  try {
    tail.prepare();
  } catch {
    subscriptions.complete(id);
    throw imsgV1Error.bridgeEventsUnavailable('The existing v2 bridge event log is not a readable regular file.');
  }
  return activate(call, id, tail, { subscription: id, buffer_limit: limit, resumable: false });
};
