import { HubError, type HubMessage, type SendOutcome } from '@imsg-hub/hub-protocol';
import type { Commit, CommitFeed } from './commit-feed.js';
import type { MessageFilter, MessageModel } from './model/message-model.js';

/** Where a subscription's notifications go (a client connection). */
export interface NotificationSink {
  notify(method: string, params: unknown): Promise<void>;
  /** Bytes queued on the socket and not yet sent; pumping pauses above a bound. */
  bufferedBytes(): number;
}

interface Subscription {
  id: number;
  sink: NotificationSink;
  filter: MessageFilter;
  /** Deliver several messages per notification (`messages`) instead of one (`message`). */
  batch: boolean;
  /** Guids delivered, for a merged watch of one chat (the store returns every copy then). */
  seen: Set<string> | undefined;
  lastSeq: number;
  pumping: boolean;
  closed: boolean;
  retry: NodeJS.Timeout | undefined;
  /** Also deliver `send.status` notifications when a send of an account in view changes. */
  sends: boolean;
  /** Also deliver `typing` notifications from accounts in view. */
  typing: boolean;
}

/** Someone typing in a chat of an account, as its agent reported it (not stored). */
export interface TypingEvent {
  account: string;
  /** The hub chat, when the hub knows it. */
  chatId: number | undefined;
  chatGuid: string;
  typing: boolean;
  at: string;
}

const PAGE = 256;
const SEEN_LIMIT = 50_000;
/** Watches one connection may hold (each is work on every commit). */
const MAX_SUBSCRIPTIONS = 64;
const HIGH_WATER_BYTES = 8 * 1024 * 1024;

/**
 * Client watch subscriptions. Replay and live delivery are one path: each subscription reads the
 * store after its last delivered hub id, so the seam between them has no gap and no duplicate.
 */
export class WatchHub {
  readonly #model: MessageModel;
  readonly #subs = new Map<number, Subscription>();
  #nextId = 1;
  readonly #onDelivered: ((message: HubMessage) => void) | undefined;
  /** Set by a failed store read: pumps stop logging it after the first. */
  #onError: ((err: Error) => void) | undefined;

  constructor(model: MessageModel, feed: CommitFeed, options: { onDelivered?: (message: HubMessage) => void; onError?: (err: Error) => void } = {}) {
    this.#model = model;
    this.#onDelivered = options.onDelivered;
    this.#onError = options.onError;
    feed.subscribe((commit) => this.committed(commit));
  }

  /** Starts a subscription; delivery begins on the next turn, after the caller's response is written. */
  subscribe(
    sink: NotificationSink,
    filter: MessageFilter,
    since: number | undefined,
    batch = false,
    sends = false,
    typing = false,
  ): { subscription: number; seq: number } {
    const mine = [...this.#subs.values()].filter((x) => x.sink === sink).length;
    if (mine >= MAX_SUBSCRIPTIONS) {
      throw new HubError('INVALID_PARAMS', `this connection already has ${mine} subscriptions; unsubscribe one first`);
    }
    const seq = this.#model.maxSeq;
    const dedupe = filter.merged && filter.chatId !== undefined;
    const sub: Subscription = {
      id: this.#nextId++,
      sink,
      filter: dedupe ? { ...filter, watcherDedupes: true } : filter,
      batch,
      seen: dedupe ? new Set() : undefined,
      lastSeq: since ?? seq,
      pumping: false,
      closed: false,
      retry: undefined,
      sends,
      typing,
    };
    this.#subs.set(sub.id, sub);
    setImmediate(() => void this.#pump(sub));
    return { subscription: sub.id, seq };
  }

  /** A send or action changed state (queued, dispatched, sent, delivered, read, failed…): tell watches that asked. */
  sendChanged(outcome: SendOutcome): void {
    for (const sub of this.#subs.values()) {
      if (!sub.sends || (sub.filter.accounts && !sub.filter.accounts.includes(outcome.account))) continue;
      sub.sink.notify('send.status', { subscription: sub.id, outcome }).catch(() => undefined);
    }
  }

  /** Someone started or stopped typing: tell watches that asked and whose view has the chat. */
  typing(e: TypingEvent): void {
    for (const sub of this.#subs.values()) {
      if (!sub.typing || (sub.filter.accounts && !sub.filter.accounts.includes(e.account))) continue;
      const chatId = e.chatId === undefined ? undefined : this.#model.chatIdInView(e.chatId, sub.filter);
      if (sub.filter.chatId !== undefined && chatId === undefined) continue;
      const params = {
        subscription: sub.id,
        account: e.account,
        ...(chatId !== undefined ? { chat_id: chatId } : {}),
        chat_guid: e.chatGuid,
        typing: e.typing,
        at: e.at,
      };
      sub.sink.notify('typing', params).catch(() => undefined);
    }
  }

  unsubscribe(sink: NotificationSink, id: number): boolean {
    const sub = this.#subs.get(id);
    if (!sub || sub.sink !== sink) return false;
    this.#close(sub);
    return true;
  }

  /** Ends every subscription of a connection that went away. */
  dropSink(sink: NotificationSink): void {
    for (const sub of this.#subs.values()) if (sub.sink === sink) this.#close(sub);
  }

  /**
   * New rows were committed. A subscription that was caught up gets them straight from memory;
   * any other catches up from the store.
   */
  committed({ records, previousMax, max }: Commit): void {
    for (const sub of this.#subs.values()) {
      if (sub.lastSeq === previousMax && !sub.pumping && !sub.retry && sub.sink.bufferedBytes() <= HIGH_WATER_BYTES) {
        const messages = this.#model.deliverable(records, sub.filter);
        if (messages) {
          this.#send(sub, messages);
          sub.lastSeq = max;
          continue;
        }
      }
      void this.#pump(sub);
    }
  }

  #send(sub: Subscription, all: HubMessage[]): void {
    const messages = sub.seen ? all.filter((m) => this.#firstTime(sub.seen!, m.guid)) : all;
    if (messages.length === 0) return;
    if (sub.batch) {
      sub.sink.notify('messages', { subscription: sub.id, messages }).catch(() => undefined);
    } else {
      for (const message of messages) sub.sink.notify('message', { subscription: sub.id, message }).catch(() => undefined);
    }
    if (this.#onDelivered) for (const m of messages) this.#onDelivered(m);
  }

  get size(): number {
    return this.#subs.size;
  }

  #firstTime(seen: Set<string>, guid: string): boolean {
    if (guid === '') return true;
    if (seen.has(guid)) return false;
    seen.add(guid);
    // Bounded: copies of one message arrive close together, so old guids can be forgotten.
    if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value!);
    return true;
  }

  #close(sub: Subscription): void {
    sub.closed = true;
    if (sub.retry) clearTimeout(sub.retry);
    this.#subs.delete(sub.id);
  }

  async #pump(sub: Subscription): Promise<void> {
    if (sub.pumping || sub.closed) return;
    sub.pumping = true;
    try {
      for (;;) {
        const max = this.#model.maxSeq;
        if (sub.lastSeq >= max || sub.closed) return;
        if (sub.sink.bufferedBytes() > HIGH_WATER_BYTES) {
          // A slow client lags; it does not hold up anyone else and loses nothing.
          if (!sub.retry) {
            sub.retry = setTimeout(() => {
              sub.retry = undefined;
              void this.#pump(sub);
            }, 25);
          }
          return;
        }
        // Bounded by `max`: nothing at or below it is still to come, whatever commits meanwhile.
        const page = await this.#model.after(sub.lastSeq, sub.filter, PAGE, max);
        if (sub.closed) return;
        this.#send(sub, page);
        sub.lastSeq = page.length === PAGE ? page[page.length - 1]!.id : max;
      }
    } catch (err) {
      this.#onError?.(err as Error);
    } finally {
      sub.pumping = false;
    }
  }
}
