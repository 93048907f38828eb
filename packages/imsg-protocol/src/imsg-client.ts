import { describeZod, Peer, type MessageTransport, type PeerOptions } from '@imsg-hub/jsonrpc';
import type { z } from 'zod';
import { ImsgMessageSchema, type ImsgMessage } from './message.js';
import {
  BridgeEventNotificationSchema,
  BridgeEventsSubscribeResultSchema,
  MessagesAfterResultSchema,
  SendStatusResultSchema,
  SendV1ResultSchema,
  WatchOverflowNotificationSchema,
  type MessagesAfterResult,
  type SendStatusResult,
  type BridgeEvent,
  type SendV1Result,
} from './v1/results-v1.js';
import { IMSG_PROTOCOL_VERSION, StatusResultSchema, type StatusResult } from './v1/status-schema.js';
import {
  ChatsListResultSchema,
  ErrorNotificationSchema,
  HistoryResultSchema,
  OkResultSchema,
  SendResultSchema,
  SubscribeResultSchema,
  type ChatsListResult,
  type HistoryParams,
  type HistoryResult,
  type ReadParams,
  type SendParams,
  type SendResult,
  type SubscribeParams,
  type TypingParams,
} from './methods.js';

/** Receives one subscription's stream. */
export interface WatchHandlers {
  message(message: ImsgMessage): void;
  /** The stream failed (imsg's `error` notification); it will emit nothing more. */
  error?(message: string): void;
  /** A `message` notification whose payload did not validate; `raw` is what arrived. */
  invalid?(raw: unknown, reason: string): void;
  /**
   * imsg 0.14+: the watch's buffer filled and the subscription ended (terminal `watch.overflow`).
   * Resume with `messages.after` or a new watch from `resumeAfterRowid`; nothing more follows.
   */
  overflow?(resumeAfterRowid: number): void;
}

/** Receives one `bridge.events.subscribe` stream (imsg 0.14+, reference/imsg-protocol-v1.md §3.11). */
export interface BridgeEventHandlers {
  event(event: BridgeEvent): void;
  /** The stream ended (`bridge.events.overflow` or `bridge.events.error`, both terminal): subscribe again to go on. */
  ended?(reason: string): void;
}

/** `messages.after` params (imsg 0.14+, reference/imsg-protocol-v1.md §3.5). */
export interface MessagesAfterParams {
  since_rowid: number;
  limit?: number;
  chat_id?: number;
  attachments?: boolean;
  include_reactions?: boolean;
}

export interface Subscription {
  readonly id: number;
  unsubscribe(): Promise<void>;
}

export interface ImsgClientOptions extends Omit<PeerOptions, 'onNotification' | 'onRequest' | 'answerInvalid'> {
  /** Notifications held for subscription ids not yet known (§2.3 ordering race). Default 10,000. */
  maxEarlyNotifications?: number;
}

type Notification = { method: string; params: unknown };

/**
 * A typed client of `imsg rpc`. Notifications that arrive before the `watch.subscribe` response
 * naming their subscription are held and delivered, in order, once the id is known.
 */
export class ImsgClient {
  readonly peer: Peer;
  readonly #handlers = new Map<number, WatchHandlers | BridgeEventHandlers>();
  readonly #early = new Map<number, Notification[]>();
  #earlyCount = 0;
  readonly #maxEarly: number;
  readonly #onProtocolError: PeerOptions['onProtocolError'];

  constructor(transport: MessageTransport, options: ImsgClientOptions = {}) {
    this.#maxEarly = options.maxEarlyNotifications ?? 10_000;
    this.#onProtocolError = options.onProtocolError;
    this.peer = new Peer(transport, {
      ...options,
      onNotification: (method, params) => this.#onNotification({ method, params }),
    });
  }

  get closed(): Promise<Error | undefined> {
    return this.peer.closed;
  }

  async chatsList(limit = 20, timeoutMs?: number): Promise<ChatsListResult> {
    return this.#call('chats.list', { limit }, ChatsListResultSchema, timeoutMs);
  }

  async history(params: HistoryParams, timeoutMs?: number): Promise<HistoryResult> {
    return this.#call('messages.history', params, HistoryResultSchema, timeoutMs);
  }

  async send(params: SendParams, timeoutMs?: number): Promise<SendResult> {
    return this.#call('send', params, SendResultSchema, timeoutMs);
  }

  async typing(params: TypingParams, timeoutMs?: number): Promise<{ ok: boolean }> {
    return this.#call('typing', params, OkResultSchema, timeoutMs);
  }

  async read(params: ReadParams, timeoutMs?: number): Promise<{ ok: boolean }> {
    return this.#call('read', params, OkResultSchema, timeoutMs);
  }

  /**
   * imsg 0.14+ handshake (reference/imsg-protocol-v1.md §1.3): the status result. An imsg before
   * 0.14 answers -32601 (an RpcError), which is how a caller tells 0.9–0.13 apart.
   */
  async initialize(timeoutMs?: number): Promise<StatusResult> {
    return this.#call('initialize', { protocol_version: IMSG_PROTOCOL_VERSION }, StatusResultSchema, timeoutMs);
  }

  /** imsg 0.14+: what the process can do now (database and bridge readiness, usable methods). */
  async status(timeoutMs?: number): Promise<StatusResult> {
    return this.#call('status', {}, StatusResultSchema, timeoutMs);
  }

  /** imsg 0.14+: one page of rows after `since_rowid`, in ROWID order; `next_rowid` is the cursor. */
  async messagesAfter(params: MessagesAfterParams, timeoutMs?: number): Promise<MessagesAfterResult> {
    return this.#call('messages.after', params, MessagesAfterResultSchema, timeoutMs);
  }

  /** imsg 0.15: a text send whose message guid is the caller's `attempt_id` (§3.13). */
  async sendTracked(params: SendParams & { attempt_id: string }, timeoutMs?: number): Promise<SendV1Result> {
    return this.#call('send.tracked', params, SendV1ResultSchema, timeoutMs);
  }

  /** imsg 0.10+: the state of the newest row with this guid; `status_fields: null` when none exists (§3.14). */
  async sendStatus(guid: string, timeoutMs?: number): Promise<SendStatusResult> {
    return this.#call('message.send_status', { guid }, SendStatusResultSchema, timeoutMs);
  }

  /** Starts a watch; `handlers` receive its messages, including any that raced the response. */
  async subscribe(params: SubscribeParams, handlers: WatchHandlers, timeoutMs?: number): Promise<Subscription> {
    const { subscription } = await this.#call('watch.subscribe', params, SubscribeResultSchema, timeoutMs);
    return this.#attach(subscription, handlers, timeoutMs);
  }

  /** Routes a subscription's notifications to `handlers`, first those that raced its response. */
  #attach(subscription: number, handlers: WatchHandlers | BridgeEventHandlers, timeoutMs: number | undefined): Subscription {
    this.#handlers.set(subscription, handlers);
    const early = this.#early.get(subscription);
    if (early) {
      this.#early.delete(subscription);
      this.#earlyCount -= early.length;
      for (const n of early) this.#dispatch(n, handlers);
    }
    return {
      id: subscription,
      unsubscribe: async () => {
        this.#handlers.delete(subscription);
        await this.peer.request('watch.unsubscribe', { subscription }, timeoutMs === undefined ? {} : { timeoutMs });
      },
    };
  }

  /** imsg 0.14+ with a bridge event log: live bridge events (typing …), never replayed. */
  async subscribeBridgeEvents(params: { buffer_limit?: number }, handlers: BridgeEventHandlers, timeoutMs?: number): Promise<Subscription> {
    const { subscription } = await this.#call('bridge.events.subscribe', params, BridgeEventsSubscribeResultSchema, timeoutMs);
    return this.#attach(subscription, handlers, timeoutMs);
  }

  close(): Promise<void> {
    return this.peer.close();
  }

  async #call<S extends z.ZodType>(method: string, params: unknown, schema: S, timeoutMs?: number): Promise<z.infer<S>> {
    const raw = await this.peer.request(method, params, timeoutMs === undefined ? {} : { timeoutMs });
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new TypeError(`imsg ${method} returned an unexpected result: ${describeZod(parsed.error)}`);
    return parsed.data;
  }

  #onNotification(n: Notification): void {
    const sub = subscriptionOf(n.params);
    if (sub === undefined) {
      this.#onProtocolError?.(new TypeError(`imsg notification ${n.method} without a subscription id`));
      return;
    }
    const handlers = this.#handlers.get(sub);
    if (handlers) {
      this.#dispatch(n, handlers);
      return;
    }
    if (this.#earlyCount >= this.#maxEarly) {
      this.#onProtocolError?.(new RangeError(`dropped notification for unknown subscription ${sub}: early buffer full`));
      return;
    }
    const list = this.#early.get(sub) ?? [];
    list.push(n);
    this.#early.set(sub, list);
    this.#earlyCount += 1;
  }

  #dispatch(n: Notification, any: WatchHandlers | BridgeEventHandlers): void {
    if ('event' in any) {
      this.#dispatchBridge(n, any);
      return;
    }
    const handlers = any;
    if (n.method === 'message') {
      const raw = (n.params as { message?: unknown }).message;
      const parsed = ImsgMessageSchema.safeParse(raw);
      if (parsed.success) handlers.message(parsed.data);
      else handlers.invalid?.(raw, describeZod(parsed.error));
    } else if (n.method === 'error') {
      const parsed = ErrorNotificationSchema.safeParse(n.params);
      handlers.error?.(parsed.success ? parsed.data.error.message : JSON.stringify(n.params));
    } else if (n.method === 'watch.overflow') {
      const parsed = WatchOverflowNotificationSchema.safeParse(n.params);
      if (!parsed.success) {
        this.#onProtocolError?.(new TypeError(`imsg watch.overflow does not validate: ${describeZod(parsed.error)}`));
        return;
      }
      // Terminal: the subscription is gone on imsg's side.
      this.#handlers.delete(parsed.data.subscription);
      handlers.overflow?.(parsed.data.resume_after_rowid);
    }
  }

  #dispatchBridge(n: Notification, handlers: BridgeEventHandlers): void {
    const notice = bridgeNotice(n);
    if (!notice) return;
    if ('event' in notice) handlers.event(notice.event);
    else if ('invalid' in notice) this.#onProtocolError?.(new TypeError(notice.invalid));
    else {
      this.#handlers.delete(subscriptionOf(n.params)!); // terminal on imsg's side
      handlers.ended?.(notice.ended);
    }
  }
}

/** A bridge event stream's notifications: events, or its terminal end. */
function bridgeNotice(n: Notification): { event: BridgeEvent } | { ended: string } | { invalid: string } | undefined {
  if (n.method === 'bridge.event') {
    const parsed = BridgeEventNotificationSchema.safeParse(n.params);
    return parsed.success ? { event: parsed.data.event } : { invalid: `imsg bridge.event does not validate: ${describeZod(parsed.error)}` };
  }
  if (n.method === 'bridge.events.overflow') return { ended: 'bridge event buffer overflowed' };
  if (n.method === 'bridge.events.error') {
    const error = (n.params as { error?: { code?: unknown; message?: unknown } }).error;
    return { ended: `bridge event stream failed: ${String(error?.code ?? 'unknown')} ${String(error?.message ?? '')}`.trim() };
  }
  return undefined;
}

function subscriptionOf(params: unknown): number | undefined {
  if (typeof params !== 'object' || params === null) return undefined;
  const s = (params as { subscription?: unknown }).subscription;
  return typeof s === 'number' && Number.isInteger(s) ? s : undefined;
}
