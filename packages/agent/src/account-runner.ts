import type { ImsgPassthroughMethod } from '@imsg-hub/hub-protocol';
import { setTimeout as sleep } from 'node:timers/promises';
import { HubError, callHub, type ImsgState, type SendDispatchParams, type SendDispatchResult } from '@imsg-hub/hub-protocol';
import type { ImsgClient, Subscription } from '@imsg-hub/imsg-protocol';
import type { Logger } from 'pino';
import { AttachmentUploader } from './attachment-uploader.js';
import type { CursorStore } from './cursor-store.js';
import { AgentError } from './errors.js';
import type { HubSession } from './hub-link.js';
import { ImsgSession, exitText } from './imsg-session.js';
import type { ImsgSource } from './imsg-source.js';
import { InboundStream } from './inbound-stream.js';
import { probeNewest, type ProbeResult } from './probe.js';
import { ReplacementDetector } from './replacement-detector.js';
import { retryForever, type BackoffSettings } from '@imsg-hub/hub-client';
import { SendDispatcher } from './send-dispatcher.js';
import type { SendLedger } from './send-ledger.js';
import { Watchdog } from './watchdog.js';
import { BacklogPump } from './backlog-pump.js';

/** The per-account knobs of the config. */
export interface RunnerSettings {
  watchdog: { probe_interval_ms: number; stall_ms: number; probe_timeout_ms: number };
  restart_backoff: BackoffSettings;
  debounce_ms: number;
  attachments: { max_bytes: number; wait_ms: number };
  send: { timeout_ms: number; echo_wait_ms: number };
}

export interface AccountRunnerOptions {
  name: string;
  source: ImsgSource;
  cursor: CursorStore;
  ledger: SendLedger;
  settings: RunnerSettings;
  log: Logger;
}

interface Inbound {
  stream: InboundStream;
  session: ImsgSession;
  link: HubSession;
  subscription?: Subscription;
  /** Drains a backlog faster than imsg's 100 rows per trigger (see backlog-pump.ts). */
  pump?: BacklogPump;
}

const STOP_GRACE_MS = 2000;

/**
 * One account: keeps its imsg running (restart with backoff, watchdog), streams its rows to the
 * hub while both imsg and the hub link are up, and passes the hub's sends to imsg.
 */
export class AccountRunner {
  readonly name: string;
  readonly #o: AccountRunnerOptions;
  readonly #log: Logger;
  readonly #detector = new ReplacementDetector();
  readonly #dispatcher: SendDispatcher;
  readonly #uploader: AttachmentUploader;
  readonly #readyWaiters = new Set<() => void>();
  #session: ImsgSession | undefined;
  #link: HubSession | undefined;
  #inbound: Inbound | undefined;
  #inboundChain: Promise<void> = Promise.resolve();
  #state: ImsgState = 'stopped';
  #detail: string | undefined;
  #newest: number | undefined;
  #restarts = 0;
  #closed = false;
  #loop: Promise<void> | undefined;

  constructor(options: AccountRunnerOptions) {
    this.name = options.name;
    this.#o = options;
    this.#log = options.log;
    const { settings } = options;
    this.#uploader = new AttachmentUploader({
      files: options.source.files,
      maxBytes: settings.attachments.max_bytes,
      waitMs: settings.attachments.wait_ms,
      log: options.log,
    });
    this.#dispatcher = new SendDispatcher({
      account: options.name,
      ledger: options.ledger,
      imsg: () => this.#client(),
      files: options.source.files,
      peer: () => this.#link?.peer,
      maxBytes: settings.attachments.max_bytes,
      sendTimeoutMs: settings.send.timeout_ms,
      echoWaitMs: settings.send.echo_wait_ms,
      log: options.log,
    });
  }

  get state(): ImsgState {
    return this.#state;
  }

  get restarts(): number {
    return this.#restarts;
  }

  start(): void {
    this.#loop ??= this.#runImsg();
  }

  /** The hub link is up: resume from the hub's high-water mark (it is authoritative). */
  linkUp(link: HubSession): void {
    this.#link = link;
    const resume = link.hello.accounts.find((a) => a.name === this.name);
    if (resume) this.#o.cursor.reset(this.name, resume.epoch, resume.hwm);
    else this.#log.warn('hub hello named no resume point for this account; using the saved cursor');
    this.#detector.reset();
    this.#reportState();
    this.#syncInbound();
  }

  linkDown(): void {
    this.#link = undefined;
    this.#syncInbound();
  }

  dispatchSend(p: SendDispatchParams): Promise<SendDispatchResult> {
    return this.#dispatcher.dispatch(p);
  }

  /** `typing` / `read` straight to imsg; its error comes back verbatim (an RpcError). */
  async imsgCall(method: ImsgPassthroughMethod, params: Record<string, unknown>): Promise<unknown> {
    const client = await this.#client();
    return client.peer.request(method, params, { timeoutMs: this.#o.settings.send.timeout_ms });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const wake of [...this.#readyWaiters]) wake();
    await Promise.race([this.#dispatcher.drain(), sleep(this.#o.settings.send.timeout_ms)]);
    this.#syncInbound();
    await this.#inboundChain;
    await this.#session?.stop(STOP_GRACE_MS);
    await this.#o.source.close().catch(() => undefined);
    // The imsg loop is not awaited: it may sit in a backoff wait; it sees #closed and ends itself.
    this.#setState('stopped');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #runImsg(): Promise<void> {
    const { settings } = this.#o;
    while (!this.#closed) {
      this.#setState(this.#restarts === 0 ? 'starting' : 'restarting');
      let session: ImsgSession;
      try {
        session = await retryForever(
          // Generous: a real imsg may sit on the Contacts permission prompt before it answers (§1.1).
          () => ImsgSession.start(this.#o.source, { log: this.#log, checkTimeoutMs: Math.max(settings.watchdog.probe_timeout_ms, 15_000) }),
          settings.restart_backoff,
          {
            delayFirst: this.#restarts > 0,
            stopped: () => this.#closed,
            onFailure: (err, attempt) => {
              this.#log.error({ err: (err as Error).message, code: (err as { code?: unknown }).code, attempt }, 'imsg failed to start');
              this.#setState('failed', (err as Error).message);
            },
          },
        );
      } catch {
        return; // closed while waiting
      }
      if (this.#closed) {
        await session.stop(STOP_GRACE_MS);
        return;
      }
      await this.#serve(session);
      if (this.#closed) return;
      this.#restarts++;
    }
  }

  /** Runs until imsg exits or the watchdog finds it stalled. */
  async #serve(session: ImsgSession): Promise<void> {
    const { watchdog: w } = this.#o.settings;
    this.#session = session;
    this.#setState('running');
    for (const wake of [...this.#readyWaiters]) wake();
    let onStall!: (reason: string) => void;
    const stalled = new Promise<string>((resolve) => (onStall = resolve));
    const dog = new Watchdog({
      intervalMs: w.probe_interval_ms,
      stallMs: w.stall_ms,
      probeTimeoutMs: w.probe_timeout_ms,
      probe: (timeoutMs) => probeNewest(session.client, timeoutMs),
      delivered: () => (this.#inbound?.session === session ? this.#inbound.stream.delivered : undefined),
      onProbe: (newest) => this.#onProbe(newest),
      onStall,
      busy: () => this.#dispatcher.busy,
    });
    dog.start();
    this.#syncInbound();
    const outcome = await Promise.race([session.ended.then((exit) => ({ exit })), stalled.then((reason) => ({ reason }))]);
    dog.stop();
    this.#session = undefined;
    if ('reason' in outcome) {
      this.#log.warn({ reason: outcome.reason }, 'imsg stalled; restarting it');
      this.#setState('stalled', outcome.reason);
      session.kill();
      await session.ended;
    } else if (!this.#closed) {
      this.#log.warn({ exit: outcome.exit, err: outcome.exit.error?.message }, `imsg exited${exitText(outcome.exit)}; restarting it`);
    }
    this.#syncInbound();
  }

  #onProbe(newest: ProbeResult): void {
    if (newest?.id !== this.#newest) {
      this.#newest = newest?.id;
      this.#reportState();
    }
    const inbound = this.#inbound;
    if (!inbound || !this.#link) return;
    const replaced = this.#detector.observe(newest, inbound.stream.acked, (guid) => this.#o.cursor.seenRowid(this.name, guid));
    if (replaced && newest) {
      this.#chain(() => this.#newEpoch(`chat.db replaced: its newest rowid ${newest.id} is below the cursor ${inbound.stream.acked}`));
    }
  }

  async #newEpoch(reason: string): Promise<void> {
    const link = this.#link;
    if (!link) return;
    this.#log.warn({ reason }, 'starting a new epoch');
    const resume = await callHub(link.peer, 'epoch.new', { account: this.name, reason: reason.slice(0, 500) });
    this.#o.cursor.reset(this.name, resume.epoch, resume.hwm);
    const current = this.#inbound;
    this.#inbound = undefined;
    if (current) await this.#stopInbound(current);
    await this.#reconcileInbound();
  }

  #syncInbound(): void {
    this.#chain(() => this.#reconcileInbound());
  }

  #chain(step: () => Promise<void>): void {
    this.#inboundChain = this.#inboundChain.then(step).catch((err: unknown) => this.#log.error({ err: (err as Error).message }, 'inbound stream step failed'));
  }

  /** Makes the inbound stream match reality: one stream while imsg and the link are both up. */
  async #reconcileInbound(): Promise<void> {
    const session = this.#closed ? undefined : this.#session;
    const link = this.#closed ? undefined : this.#link;
    const current = this.#inbound;
    if (current && (current.session !== session || current.link !== link)) {
      this.#inbound = undefined;
      await this.#stopInbound(current);
    }
    if (session && link && !this.#inbound) await this.#startInbound(session, link);
  }

  async #startInbound(session: ImsgSession, link: HubSession): Promise<void> {
    const cursor = this.#o.cursor.get(this.name);
    if (!cursor) {
      this.#log.error('no resume point (the hub named none and no cursor is saved): not streaming');
      return;
    }
    const newest = await probeNewest(session.client, this.#o.settings.watchdog.probe_timeout_ms).catch(() => undefined);
    const stream = new InboundStream({
      account: this.name,
      epoch: cursor.epoch,
      after: cursor.acked,
      replayUpTo: Math.max(cursor.acked, newest?.id ?? 0),
      peer: link.peer,
      cursor: this.#o.cursor,
      uploader: this.#uploader,
      maxFrameBytes: link.hello.max_frame_bytes,
      log: this.#log,
    });
    const inbound: Inbound = { stream, session, link };
    this.#inbound = inbound;
    void stream.failed.then((err) => this.#onStreamFailed(inbound, err));
    const subscribe = (since: number) =>
      session.client.subscribe(
        { since_rowid: since, attachments: true, include_reactions: true, debounce_ms: this.#o.settings.debounce_ms },
        {
          message: (m) => stream.push(m),
          error: (text) => stream.fail(new AgentError('WATCH_FAILED', `imsg watch failed: ${text}`)),
          invalid: (raw, why) => this.#log.error({ why, rowid: (raw as { id?: unknown })?.id }, 'imsg sent a row that does not validate; skipped'),
        },
      );
    try {
      // hwm 0 = nothing stored yet: replay the whole chat.db (since_rowid -1, §2.3).
      inbound.subscription = await subscribe(cursor.acked > 0 ? cursor.acked : -1);
      this.#log.info({ epoch: cursor.epoch, after: cursor.acked, subscription: inbound.subscription.id }, 'streaming rows to the hub');
      const backlogEnd = Math.max(cursor.acked, newest?.id ?? 0);
      inbound.pump = new BacklogPump({
        target: () => Math.max(backlogEnd, this.#newest ?? 0),
        delivered: () => Math.max(stream.delivered, cursor.acked),
        lastDeliveryAt: () => stream.lastPushAt,
        deliveredCount: () => stream.pushed,
        resubscribe: async () => {
          if (this.#inbound !== inbound) return;
          const old = inbound.subscription;
          // The new subscription first: the stream drops rows it already has, so nothing is lost.
          inbound.subscription = await subscribe(Math.max(stream.delivered, cursor.acked) || -1);
          await old?.unsubscribe().catch(() => undefined);
        },
      });
      inbound.pump.start();
    } catch (err) {
      stream.fail(err as Error);
    }
  }

  #onStreamFailed(inbound: Inbound, err: Error): void {
    if (this.#inbound !== inbound) return;
    if (HubError.from(err)?.hubCode === 'STALE_EPOCH') {
      // The hub moved this account to another epoch: only a new hello tells where to resume.
      this.#log.warn({ err: err.message }, 'hub says our epoch is stale; reconnecting for a fresh resume point');
      void inbound.link.peer.close();
      return;
    }
    this.#log.warn({ err: err.message }, 'inbound stream ended; resuming from the acked cursor');
    this.#chain(async () => {
      if (this.#inbound !== inbound) return;
      this.#inbound = undefined;
      await this.#stopInbound(inbound);
      await sleep(this.#o.settings.restart_backoff.initial_ms);
      await this.#reconcileInbound();
    });
  }

  async #stopInbound(inbound: Inbound): Promise<void> {
    inbound.pump?.stop();
    inbound.stream.close();
    if (inbound.subscription && this.#session === inbound.session) {
      await Promise.race([inbound.subscription.unsubscribe().catch(() => undefined), sleep(STOP_GRACE_MS)]);
    }
  }

  /** A live imsg client, waiting up to the send timeout for imsg to be running. */
  async #client(): Promise<ImsgClient> {
    const deadline = Date.now() + this.#o.settings.send.timeout_ms;
    // A session whose imsg just died is not usable, even before the loop notices the exit.
    while (!this.#session || this.#session.client.peer.isClosed) {
      if (this.#closed || Date.now() >= deadline) {
        throw new HubError('AGENT_OFFLINE', `imsg for account ${this.name} is not running (${this.#state}${this.#detail ? `: ${this.#detail}` : ''})`);
      }
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          this.#readyWaiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.max(1, deadline - Date.now()));
        this.#readyWaiters.add(done);
      });
    }
    return this.#session!.client;
  }

  #setState(state: ImsgState, detail?: string): void {
    if (state === this.#state && detail === this.#detail) return;
    this.#state = state;
    this.#detail = detail;
    this.#log.info({ state, detail }, 'imsg state');
    this.#reportState();
  }

  #reportState(): void {
    const link = this.#link;
    if (!link) return;
    const lastRowAt = this.#o.cursor.get(this.name)?.lastRowAt;
    link.peer
      .notify('account.state', {
        account: this.name,
        state: this.#state,
        source: this.#o.source.kind,
        restarts: this.#restarts,
        ...(this.#detail ? { detail: this.#detail.slice(0, 2000) } : {}),
        ...(this.#newest !== undefined ? { newest_rowid: this.#newest } : {}),
        ...(lastRowAt ? { last_row_at: lastRowAt } : {}),
      })
      .catch(() => undefined);
  }
}
