import type { ImsgPassthroughMethod } from '@imsg-hub/hub-protocol';
import { setTimeout as sleep } from 'node:timers/promises';
import { HubError, type ImsgState, type SendDispatchParams, type SendDispatchResult } from '@imsg-hub/hub-protocol';
import type { Logger } from 'pino';
import { AccountFeeds } from './account-feeds.js';
import { AttachmentUploader } from './attachment-uploader.js';
import type { CursorStore } from './cursor-store.js';
import type { HubSession } from './hub-link.js';
import { profileFromStatus, sameInfo, type ImsgProfile } from './imsg-profile.js';
import { ImsgSession, exitText } from './imsg-session.js';
import type { ImsgSource } from './imsg-source.js';
import { InboundPipeline } from './inbound-pipeline.js';
import { PathGuard } from './path-guard.js';
import { probeNewest, type ProbeResult } from './probe.js';
import { ReceiptTracker } from './receipt-tracker.js';
import { ReplacementDetector } from './replacement-detector.js';
import { retryForever, type BackoffSettings } from '@imsg-hub/hub-client';
import { SendDispatcher } from './send-dispatcher.js';
import type { SendLedger } from './send-ledger.js';
import { Watchdog } from './watchdog.js';

/** The per-account knobs of the config. */
export interface RunnerSettings {
  watchdog: { probe_interval_ms: number; stall_ms: number; probe_timeout_ms: number };
  restart_backoff: BackoffSettings;
  debounce_ms: number;
  watch_buffer_limit: number;
  attachments: { max_bytes: number; wait_ms: number; outbound_dir?: string | undefined };
  send: { timeout_ms: number; resolve_wait_ms: number; receipt_window_ms: number };
  unread_interval_ms: number;
}

export interface AccountRunnerOptions {
  name: string;
  source: ImsgSource;
  cursor: CursorStore;
  ledger: SendLedger;
  settings: RunnerSettings;
  /** Where Messages keeps this account's files; only attachments under it are uploaded. */
  attachmentsRoot: string;
  log: Logger;
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
  readonly #receipts: ReceiptTracker;
  readonly #feeds: AccountFeeds;
  readonly #readyWaiters = new Set<() => void>();
  #session: ImsgSession | undefined;
  #link: HubSession | undefined;
  readonly #inbound: InboundPipeline;
  #state: ImsgState = 'stopped';
  #detail: string | undefined;
  #newest: number | undefined;
  /** What the account's imsg can do, as last negotiated or read from `status` (kept across restarts). */
  #profile: ImsgProfile | undefined;
  #refreshing = false;
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
      root: new PathGuard(options.source.files, options.attachmentsRoot),
      log: options.log,
    });
    this.#inbound = new InboundPipeline({
      account: options.name,
      cursor: options.cursor,
      uploader: this.#uploader,
      settings,
      session: () => (this.#closed ? undefined : this.#session),
      link: () => (this.#closed ? undefined : this.#link),
      newest: () => this.#newest,
      onDatabaseUnavailable: () => this.#refreshProfile(),
      log: options.log,
    });
    this.#receipts = new ReceiptTracker({
      account: options.name,
      ledger: options.ledger,
      imsg: () => {
        const session = this.#session;
        return session && !session.client.peer.isClosed && session.profile.info.methods.includes('message.send_status') ? session.client : undefined;
      },
      peer: () => this.#link?.peer,
      windowMs: settings.send.receipt_window_ms,
      timeoutMs: settings.watchdog.probe_timeout_ms,
      log: options.log,
    });
    this.#feeds = new AccountFeeds(options.name, () => this.#link?.peer, settings, options.log);
    this.#dispatcher = new SendDispatcher({
      account: options.name,
      ledger: options.ledger,
      imsg: () => this.#liveSession(),
      files: options.source.files,
      outbound: settings.attachments.outbound_dir ? new PathGuard(options.source.files, settings.attachments.outbound_dir) : undefined,
      peer: () => this.#link?.peer,
      maxBytes: settings.attachments.max_bytes,
      sendTimeoutMs: settings.send.timeout_ms,
      resolveWaitMs: settings.send.resolve_wait_ms,
      restartImsg: (session, reason) => this.#restartImsg(session, reason),
      onDatabaseUnavailable: () => this.#refreshProfile(),
      onSent: (key, result) => {
        if (typeof result['guid'] === 'string' && result['guid'] !== '') this.#receipts.sent(key, result['guid']);
      },
      retry: { initialMs: Math.min(250, settings.restart_backoff.initial_ms), maxMs: Math.min(5000, settings.restart_backoff.max_ms) },
      log: options.log,
    });
  }

  /** Recent sends whose receipts are being looked for (tests). */
  get receiptsTracked(): number {
    return this.#receipts.tracking;
  }

  get state(): ImsgState {
    return this.#state;
  }

  get restarts(): number {
    return this.#restarts;
  }

  /** What the account's imsg can do, as last negotiated (undefined before imsg first started). */
  get profile(): ImsgProfile | undefined {
    return this.#profile;
  }

  /** Inbound catch-up figures (tests): watch overflows resumed, 0.9 pages resubscribed. */
  get inboundStats(): { overflows: number; pages: number } | undefined {
    return this.#inbound.stats;
  }

  start(): void {
    const open = this.#o.ledger.openCounts(this.name);
    if (open.in_doubt + open.passing > 0) {
      this.#log.warn({ ...open }, 'sends whose outcome is not known yet: tracked ones are settled with message.send_status, others stay in doubt');
    }
    this.#loop ??= this.#runImsg();
    this.#receipts.start();
    this.#feeds.start();
  }

  /** The hub link is up: resume from the hub's high-water mark (it is authoritative). */
  linkUp(link: HubSession): void {
    this.#link = link;
    const resume = link.hello.accounts.find((a) => a.name === this.name);
    if (resume) this.#o.cursor.reset(this.name, resume.epoch, resume.hwm);
    else this.#log.warn('hub hello named no resume point for this account; using the saved cursor');
    this.#detector.reset();
    this.#reportState();
    this.#inbound.sync();
    this.#feeds.linkUp();
  }

  linkDown(): void {
    this.#link = undefined;
    this.#inbound.sync();
  }

  dispatchSend(p: SendDispatchParams): Promise<SendDispatchResult> {
    return this.#dispatcher.dispatch(p);
  }

  /** `typing` / `read` straight to imsg; its error comes back verbatim (an RpcError). */
  async imsgCall(method: ImsgPassthroughMethod, params: Record<string, unknown>): Promise<unknown> {
    const { client } = await this.#liveSession();
    const result = await client.peer.request(method, params, { timeoutMs: this.#o.settings.send.timeout_ms });
    if (method === 'read') this.#feeds.read();
    return result;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#receipts.stop();
    this.#feeds.stop();
    for (const wake of [...this.#readyWaiters]) wake();
    await Promise.race([this.#dispatcher.drain(), sleep(this.#o.settings.send.timeout_ms)]);
    this.#inbound.sync();
    await this.#inbound.settled();
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
    this.#profile = session.profile;
    this.#setState('running');
    this.#applyHealth();
    for (const wake of [...this.#readyWaiters]) wake();
    let onStall!: (reason: string) => void;
    const stalled = new Promise<string>((resolve) => (onStall = resolve));
    const dog = new Watchdog({
      intervalMs: w.probe_interval_ms,
      stallMs: w.stall_ms,
      probeTimeoutMs: w.probe_timeout_ms,
      probe: (timeoutMs) => this.#probe(session, timeoutMs),
      delivered: () => this.#inbound.stream(session)?.delivered,
      onProbe: (newest) => this.#onProbe(newest),
      onStall,
      busy: () => this.#dispatcher.busy,
    });
    dog.start();
    this.#inbound.sync();
    this.#feeds.imsg(session);
    const outcome = await Promise.race([session.ended.then((exit) => ({ exit })), stalled.then((reason) => ({ reason }))]);
    dog.stop();
    this.#session = undefined;
    this.#feeds.imsg(undefined);
    if ('reason' in outcome) {
      this.#log.warn({ reason: outcome.reason }, 'imsg stalled; restarting it');
      this.#setState('stalled', outcome.reason);
      session.kill();
      await session.ended;
    } else if (!this.#closed) {
      this.#log.warn({ exit: outcome.exit, err: outcome.exit.error?.message }, `imsg exited${exitText(outcome.exit)}; restarting it`);
    }
    this.#inbound.sync();
  }

  /**
   * The watchdog's probe: imsg 0.14+'s `status` first (what it can do now; with chat.db unreadable
   * there is nothing to compare, so no stall is judged), then the newest row.
   */
  async #probe(session: ImsgSession, timeoutMs: number): Promise<ProbeResult> {
    if (session.profile.v1) {
      const status = await session.client.status(timeoutMs);
      this.#onProfile(session, profileFromStatus(status));
      if (!status.database.ready) return undefined;
    }
    return probeNewest(session.client, timeoutMs);
  }

  /** Reads `status` now (chat.db just proved unreadable), at most one at a time. */
  #refreshProfile(): void {
    const session = this.#session;
    if (!session?.profile.v1 || this.#refreshing) return;
    this.#refreshing = true;
    session.client
      .status(this.#o.settings.watchdog.probe_timeout_ms)
      .then((status) => this.#onProfile(session, profileFromStatus(status)))
      .catch(() => undefined)
      .finally(() => (this.#refreshing = false));
  }

  #onProfile(session: ImsgSession, profile: ImsgProfile): void {
    if (session !== this.#session) return;
    const changed = !sameInfo(session.profile, profile);
    session.profile = profile;
    this.#profile = profile;
    this.#feeds.imsg(session);
    if (!changed) return;
    const { info } = profile;
    this.#log.info({ imsg: info.version, database: info.database_ready, bridge: info.bridge_ready, methods: info.methods.length }, 'imsg capabilities changed');
    if (!this.#applyHealth()) this.#reportState();
  }

  /** `failed` while imsg runs but cannot read chat.db (0.15 retries it); `running` otherwise. True if the state moved. */
  #applyHealth(): boolean {
    const profile = this.#session?.profile;
    if (!profile || (this.#state !== 'running' && this.#state !== 'failed')) return false;
    const before = `${this.#state}|${this.#detail}`;
    if (profile.v1 && !profile.info.database_ready) {
      this.#setState('failed', `imsg ${profile.info.version} runs but cannot read chat.db: ${profile.databaseError ?? 'database unavailable'}`);
    } else {
      this.#setState('running');
    }
    return before !== `${this.#state}|${this.#detail}`;
  }

  /**
   * Restarts `session` (its mutation lane is blocked, reference/imsg-protocol-v1.md §2.6) and
   * resolves once another imsg runs, or the send timeout passed.
   */
  async #restartImsg(session: ImsgSession, reason: string): Promise<void> {
    if (this.#session === session) {
      this.#log.warn({ reason }, 'restarting imsg');
      this.#setState('restarting', reason);
      session.kill();
    }
    await this.#waitSession((s) => s !== session, Date.now() + this.#o.settings.send.timeout_ms).catch(() => undefined);
  }

  #onProbe(newest: ProbeResult): void {
    if (newest?.id !== this.#newest) {
      this.#newest = newest?.id;
      this.#reportState();
    }
    const stream = this.#inbound.stream();
    if (!stream || !this.#link) return;
    const replaced = this.#detector.observe(newest, stream.acked, (guid) => this.#o.cursor.seenRowid(this.name, guid));
    if (replaced && newest) this.#inbound.newEpoch(`chat.db replaced: its newest rowid ${newest.id} is below the cursor ${stream.acked}`);
  }

  /** A live imsg, waiting up to the send timeout for imsg to be running. */
  async #liveSession(): Promise<ImsgSession> {
    return this.#waitSession(() => true, Date.now() + this.#o.settings.send.timeout_ms);
  }

  /** The running imsg once `accept` takes it; AGENT_OFFLINE after `deadline` or on close. */
  async #waitSession(accept: (session: ImsgSession) => boolean, deadline: number): Promise<ImsgSession> {
    // A session whose imsg just died is not usable, even before the loop notices the exit.
    while (!this.#session || this.#session.client.peer.isClosed || !accept(this.#session)) {
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
    return this.#session;
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
        ...(this.#profile ? { imsg: this.#profile.info } : {}),
      })
      .catch(() => undefined);
  }
}
