import { setTimeout as sleep } from 'node:timers/promises';
import { HubError, callHub } from '@imsg-hub/hub-protocol';
import type { Logger } from 'pino';
import type { RunnerSettings } from './account-runner.js';
import type { AttachmentUploader } from './attachment-uploader.js';
import type { CursorStore } from './cursor-store.js';
import type { HubSession } from './hub-link.js';
import type { ImsgSession } from './imsg-session.js';
import { InboundStream } from './inbound-stream.js';
import { LegacyFeed } from './legacy-feed.js';
import { probeNewest } from './probe.js';
import { V1Feed } from './v1-feed.js';

const STOP_GRACE_MS = 2000;

export interface InboundPipelineOptions {
  account: string;
  cursor: CursorStore;
  uploader: AttachmentUploader;
  settings: RunnerSettings;
  /** The running imsg and the hub link, undefined while down or closing. */
  session: () => ImsgSession | undefined;
  link: () => HubSession | undefined;
  /** The newest rowid the watchdog's probe saw. */
  newest: () => number | undefined;
  /** chat.db proved unreadable: refresh imsg's status. */
  onDatabaseUnavailable: () => void;
  log: Logger;
}

interface Inbound {
  stream: InboundStream;
  session: ImsgSession;
  link: HubSession;
  /** Where the rows come from: imsg 0.14+'s pager and bounded watch, or 0.9's paged watch. */
  feed?: V1Feed | LegacyFeed;
}

/**
 * One account's rows on their way to the hub (design.md, inbound contract): exactly one stream
 * while imsg and the hub link are both up, from the acked cursor, fed by the feed for the imsg
 * the account runs. Every change (imsg restarted, link up or down, stream failed, new epoch) is a
 * step on one chain, so two streams never overlap.
 */
export class InboundPipeline {
  readonly #o: InboundPipelineOptions;
  #inbound: Inbound | undefined;
  #chainTail: Promise<void> = Promise.resolve();

  constructor(options: InboundPipelineOptions) {
    this.#o = options;
  }

  /** The stream of `session`, if it is the one running now. */
  stream(session?: ImsgSession): InboundStream | undefined {
    return this.#inbound && (session === undefined || this.#inbound.session === session) ? this.#inbound.stream : undefined;
  }

  /** Catch-up figures (tests): watch overflows resumed, 0.9 pages resubscribed. */
  get stats(): { overflows: number; pages: number } | undefined {
    const feed = this.#inbound?.feed;
    if (!feed) return undefined;
    return feed instanceof V1Feed ? { overflows: feed.overflows, pages: 0 } : { overflows: 0, pages: feed.pages };
  }

  /** Makes the stream match reality (after imsg or the link came or went). */
  sync(): void {
    this.#chain(() => this.#reconcile());
  }

  /** chat.db was replaced: the hub starts a new epoch and the stream replays from its start. */
  newEpoch(reason: string): void {
    this.#chain(async () => {
      const link = this.#o.link();
      if (!link) return;
      this.#o.log.warn({ reason }, 'starting a new epoch');
      const resume = await callHub(link.peer, 'epoch.new', { account: this.#o.account, reason: reason.slice(0, 500) });
      this.#o.cursor.reset(this.#o.account, resume.epoch, resume.hwm);
      const current = this.#inbound;
      this.#inbound = undefined;
      if (current) await this.#stop(current);
      await this.#reconcile();
    });
  }

  /** Resolves once every step so far ran (close: after `sync()` with imsg and link gone). */
  settled(): Promise<void> {
    return this.#chainTail;
  }

  #chain(step: () => Promise<void>): void {
    this.#chainTail = this.#chainTail.then(step).catch((err: unknown) => this.#o.log.error({ err: (err as Error).message }, 'inbound stream step failed'));
  }

  async #reconcile(): Promise<void> {
    const session = this.#o.session();
    const link = this.#o.link();
    const current = this.#inbound;
    if (current && (current.session !== session || current.link !== link)) {
      this.#inbound = undefined;
      await this.#stop(current);
    }
    if (session && link && !this.#inbound) await this.#start(session, link);
  }

  async #start(session: ImsgSession, link: HubSession): Promise<void> {
    const { account, settings, log } = this.#o;
    const cursor = this.#o.cursor.get(account);
    if (!cursor) {
      log.error('no resume point (the hub named none and no cursor is saved): not streaming');
      return;
    }
    const timeoutMs = settings.watchdog.probe_timeout_ms;
    const stream = new InboundStream({
      account,
      epoch: cursor.epoch,
      after: cursor.acked,
      replayUpTo: cursor.acked,
      peer: link.peer,
      cursor: this.#o.cursor,
      uploader: this.#o.uploader,
      maxFrameBytes: link.hello.max_frame_bytes,
      log,
    });
    const inbound: Inbound = { stream, session, link };
    this.#inbound = inbound;
    void stream.failed.then((err) => this.#onFailed(inbound, err));
    const { client } = session;
    if (session.profile.v1) {
      inbound.feed = new V1Feed({
        client,
        stream,
        after: cursor.acked,
        debounceMs: settings.debounce_ms,
        bufferLimit: settings.watch_buffer_limit,
        timeoutMs,
        onDatabaseUnavailable: this.#o.onDatabaseUnavailable,
        backoff: settings.restart_backoff,
        log,
      });
    } else {
      // Rows that exist now are replays, not live (design.md, inbound contract 6).
      const newest = await probeNewest(client, timeoutMs).catch(() => undefined);
      stream.markReplayUpTo(newest?.id ?? 0);
      const backlogEnd = Math.max(cursor.acked, newest?.id ?? 0);
      inbound.feed = new LegacyFeed({
        client,
        stream,
        after: cursor.acked,
        debounceMs: settings.debounce_ms,
        timeoutMs,
        newest: () => Math.max(backlogEnd, this.#o.newest() ?? 0),
        log,
      });
    }
    if (this.#inbound !== inbound) return;
    log.info({ epoch: cursor.epoch, after: cursor.acked, imsg: session.profile.info.version }, 'streaming rows to the hub');
    inbound.feed.start();
  }

  #onFailed(inbound: Inbound, err: Error): void {
    if (this.#inbound !== inbound) return;
    if (HubError.from(err)?.hubCode === 'STALE_EPOCH') {
      // The hub moved this account to another epoch: only a new hello tells where to resume.
      this.#o.log.warn({ err: err.message }, 'hub says our epoch is stale; reconnecting for a fresh resume point');
      void inbound.link.peer.close();
      return;
    }
    this.#o.log.warn({ err: err.message }, 'inbound stream ended; resuming from the acked cursor');
    this.#chain(async () => {
      if (this.#inbound !== inbound) return;
      this.#inbound = undefined;
      await this.#stop(inbound);
      await sleep(this.#o.settings.restart_backoff.initial_ms);
      await this.#reconcile();
    });
  }

  async #stop(inbound: Inbound): Promise<void> {
    inbound.stream.close();
    if (inbound.feed) await Promise.race([inbound.feed.stop(), sleep(STOP_GRACE_MS)]);
  }
}
