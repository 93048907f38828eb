import { setTimeout as sleep } from 'node:timers/promises';
import type { HubClient, WatchHandle } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import type { ImsgAttachment, ImsgReaction } from '@imsg-hub/imsg-protocol';
import type { FacadeContext } from './facade-context.js';
import { isLinkFailure } from './facade-errors.js';
import { stripAttachment, toImsgMessage, type FacadeMessage } from './imsg-shape.js';
import { matchesFilter } from './message-filter.js';
import type { ImsgVersion } from './status.js';
import type { WatchSpec } from './watch-params.js';

/** Where a subscription's notifications go, and which imsg's message shape they take. */
export interface WatchSink {
  notify(method: string, params: unknown): void | Promise<void>;
  version: ImsgVersion;
}

/** Messages prepared per round: one tapback lookup serves them all. */
const BATCH = 256;

/**
 * One `watch.subscribe` of an imsg client, fed by a hub watch. Messages are emitted in hub id
 * order, each once: the HubClient resumes its watch after the last message it handed over, and
 * anything handed over is emitted even if the link drops while its tapbacks or attachment bytes
 * are being fetched (that waits for the link to come back). A drop is announced with imsg's
 * `error` notification; unlike imsg's, the subscription keeps going.
 */
export class FacadeSubscription {
  readonly id: number;
  readonly #spec: WatchSpec;
  readonly #ctx: FacadeContext;
  readonly #sink: WatchSink;
  #client: HubClient | undefined;
  #handle: WatchHandle | undefined;
  readonly #queue: HubMessage[] = [];
  #released = false;
  #draining = false;
  #closed = false;

  constructor(id: number, spec: WatchSpec, ctx: FacadeContext, sink: WatchSink) {
    this.id = id;
    this.#spec = spec;
    this.#ctx = ctx;
    this.#sink = sink;
  }

  /** Opens the hub watch. Messages queue until `release()`, so the subscribe answer goes first. */
  async open(client: HubClient): Promise<void> {
    this.#client = client;
    if (this.#spec.matchesNothing) return;
    const s = this.#spec;
    this.#handle = await client.watch(
      {
        ...this.#ctx.view.watchScope(),
        ...(s.since !== undefined ? { since: s.since } : {}),
        ...(s.chatId !== undefined ? { chat_id: s.chatId } : {}),
        include_reactions: s.includeReactions,
      },
      (m) => this.#onHub(m),
    );
    if (this.#closed) await this.#handle.close().catch(() => undefined);
  }

  release(): void {
    this.#released = true;
    void this.#drain();
  }

  /** Tells the client the hub link dropped (imsg's `error` notification) and that it will resume. */
  linkDropped(reason: string): void {
    if (this.#closed || this.#spec.matchesNothing) return;
    const after = this.#handle ? ` after message ${this.#handle.lastId}` : '';
    void this.#sink.notify('error', {
      subscription: this.id,
      error: {
        message: `imsg-hub: lost the link to the hub at ${this.#ctx.link.url} (${reason}); reconnecting, then this watch resumes${after} with nothing skipped or repeated`,
      },
    });
  }

  /** Stops emitting at once; the hub is told in the background (a slow hub must not hold an answer). */
  close(): void {
    this.#closed = true;
    this.#queue.length = 0;
    this.#handle?.close().catch(() => undefined);
  }

  #onHub(m: HubMessage): void {
    if (this.#closed) return;
    this.#queue.push(m);
    if (this.#released) void this.#drain();
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#queue.length > 0 && !this.#closed) {
        const batch = this.#queue.splice(0, BATCH).filter((m) => matchesFilter(m, this.#spec.filter));
        const ready = await this.#prepare(batch);
        for (const message of ready) {
          if (this.#closed) return;
          await this.#sink.notify('message', { subscription: this.id, message });
        }
      }
    } catch (err) {
      this.#ctx.log.error({ subscription: this.id, error: (err as Error).message }, 'watch stopped');
    } finally {
      this.#draining = false;
    }
  }

  async #prepare(batch: HubMessage[]): Promise<FacadeMessage[]> {
    const s = this.#spec;
    const reactions = s.includeReactions
      ? await this.#withLink(
          'tapbacks',
          (c) => this.#ctx.view.reactionsOf(c, batch),
          () => new Map<string, ImsgReaction[]>(),
        )
      : new Map<string, ImsgReaction[]>();
    const out: FacadeMessage[] = [];
    for (const m of batch) {
      const attachments: ImsgAttachment[] =
        s.attachments && m.attachments.length > 0
          ? await this.#withLink(
              'attachments',
              (c) => this.#ctx.cache.localize(c, m.attachments, true),
              () => m.attachments.map((a) => ({ ...stripAttachment(a), missing: true })),
            )
          : [];
      out.push(toImsgMessage(m, { attachments, reactions: m.is_reaction ? [] : (reactions.get(m.guid) ?? []) }, this.#sink.version));
    }
    return out;
  }

  /**
   * Runs `work` against the hub; while the link is down it waits and tries again (the messages are
   * already ours to emit), and on any other failure it logs and uses `fallback`.
   */
  async #withLink<T>(what: string, work: (client: HubClient) => Promise<T>, fallback: () => T): Promise<T> {
    for (;;) {
      try {
        return await work(this.#client!);
      } catch (err) {
        if (this.#closed || !isLinkFailure(err)) {
          if (!this.#closed) this.#ctx.log.warn({ subscription: this.id, error: (err as Error).message }, `watch: ${what} unavailable`);
          return fallback();
        }
        const up = await this.#ctx.link.waitUp().then(
          () => true,
          () => false,
        );
        if (!up) return fallback(); // the hub refused us for good: nothing to wait for
        await sleep(100);
      }
    }
  }
}
