import { type Delivery, HUB_ERROR_CODES, HubError, type SendOutcome, type SendRequest } from '@imsg-hub/hub-protocol';
import { PeerError, RpcError } from '@imsg-hub/jsonrpc';
import type { OutboxRecord, Store, TokenRecord } from '@imsg-hub/store';
import { sendOutcome } from './model/send-outcome.js';
import { nanoid } from 'nanoid';
import type { Logger } from 'pino';
import { type AgentRegistry, callAgent } from './agent-registry.js';
import type { BlobStore } from './blob-store.js';
import type { SendLimiter } from './store-rate-limiter.js';
import type { Router } from './router.js';
import { dispatchParams, SendDoubts } from './send-doubts.js';
import { SendExpiry } from './send-expiry.js';
import { DELIVERY, deliveryOf, SendReceipts } from './send-receipts.js';
import { SendWaiters } from './send-waiters.js';
import { routeSend, SendIntake, type SendRouting } from './send-intake.js';
import { tokenAllows } from './token-auth.js';
import { scopedKey } from './model/idempotency-key.js';
import { type Mutation, requestHash } from './mutation.js';

export type { Mutation } from './mutation.js';

export interface OutboxOptions {
  defaultTtlS: number;
  defaultWaitMs: number;
  /** How long one dispatch may take at the agent (imsg sends can stall ~2 min on macOS 26). */
  dispatchTimeoutMs?: number;
  onStateChange?: (record: OutboxRecord) => void;
  /** Backoff for dispatches the agent answered with an error: base, cap, and attempts before failing. */
  retry?: { baseMs?: number; maxMs?: number; maxAttempts?: number };
  /** Several hubs on one store: whether this hub may dispatch the account's sends (it holds the claim). */
  mayDispatch?: (account: string) => boolean;
  /** Several hubs on one store: whether the account's agent is linked to another hub (its sends don't expire). */
  onlineElsewhere?: (account: string) => Promise<boolean>;
  /** How often the agent is asked again about each send in doubt. */
  doubtCheckMs?: number;
}

/** States a caller waiting for an outcome stops at: final ones, and in doubt (only the operator or a lookup settles it). */
const SETTLED = new Set(['sent', 'failed', 'expired', 'in_doubt']);

/** Dispatches in flight per account (each to a different chat). */
const WINDOW = 8;
/** Dispatches of a send the agent says it could not start, before the send fails. */
const MAX_ATTEMPTS = 8;

/** What identifies the chat a send goes to, for ordering. */
function chatKey(r: OutboxRecord): string {
  const p = r.params;
  return JSON.stringify([p['to'] ?? null, p['chat_guid'] ?? null, p['chat_identifier'] ?? null, p['chat_id'] ?? null]);
}

/**
 * The durable outbox (design.md "Outbound contract"): accepts sends, routes them, dispatches each
 * account's sends in order to its agent, and records the outcome. The same idempotency key never
 * produces a second send.
 */
export class Outbox {
  readonly #store: Store;
  readonly #registry: AgentRegistry;
  readonly #options: OutboxOptions;
  readonly #log: Logger;
  readonly #waiters = new SendWaiters();
  readonly #doubts: SendDoubts;
  /** Per account, the chats with a dispatch in flight: one at a time per chat keeps per-chat order. */
  readonly #inFlight = new Map<string, Set<string>>();
  /** Keys whose last dispatch got no outcome: not before this time again. */
  readonly #retryAt = new Map<string, number>();
  readonly #wakeTimers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  /** Accounts whose pump runs now, and whether it must run once more when done. */
  readonly #pumping = new Map<string, boolean>();
  /** Keys being accepted now: a second request with the same key waits for the first. */
  readonly #accepting = new Map<string, Promise<unknown>>();
  readonly #intake: SendIntake;
  readonly #routing: SendRouting;
  readonly #receiptsIn: SendReceipts;
  readonly #expiry: SendExpiry;
  #closed = false;

  constructor(deps: { store: Store; registry: AgentRegistry; router: Router; blobs: BlobStore; limiter: SendLimiter; log: Logger }, options: OutboxOptions) {
    this.#store = deps.store;
    this.#registry = deps.registry;
    this.#log = deps.log.child({ component: 'outbox' });
    this.#options = options;
    this.#routing = { router: deps.router, store: deps.store, blobs: deps.blobs };
    this.#intake = new SendIntake({
      store: deps.store,
      registry: deps.registry,
      limiter: deps.limiter,
      log: this.#log,
      defaultTtlS: options.defaultTtlS,
      queued: (record) => {
        this.#options.onStateChange?.(record);
        this.#pump(record.account);
      },
    });
    deps.registry.onChange((account, link) => link && this.#pump(account));
    this.#receiptsIn = new SendReceipts(deps.store, (r) => this.#changed(r));
    this.#doubts = new SendDoubts({
      store: deps.store,
      registry: deps.registry,
      log: this.#log,
      changed: (r) => this.#changed(r),
      recordSent: (key, result) => this.#recordSent(key, result),
      pump: (account) => this.#pump(account),
      mayDispatch: (account) => options.mayDispatch?.(account) !== false,
      checkEveryMs: options.doubtCheckMs ?? 60_000,
      dispatchTimeoutMs: options.dispatchTimeoutMs ?? 180_000,
    });
    this.#expiry = new SendExpiry({
      store: deps.store,
      log: this.#log,
      online: async (account) => this.#registry.link(account) !== undefined || (await options.onlineElsewhere?.(account)) === true,
      changed: (r) => this.#changed(r),
    });
  }

  async send(req: SendRequest, client: TokenRecord): Promise<SendOutcome> {
    const hash = requestHash([req.target, req.text ?? null, req.file ?? null, req.account ?? null, req.service ?? null, req.region ?? null]);
    return this.#submit(
      scopedKey(client, req.idempotency_key ?? nanoid()),
      hash,
      client,
      req.wait_ms,
      () => routeSend(req, client, this.#routing),
      req.wait_for,
    );
  }

  /**
   * A routed imsg mutation (a rich send, a tapback, a group action …): durable and idempotent like
   * a send. `request` is what was asked (the key's conflict check); `prepare` routes and gates it
   * and runs only for a new key, so a retry gets the first outcome whatever changed since.
   */
  async submit(
    request: unknown[],
    client: TokenRecord,
    o: { key?: string | undefined; waitMs?: number | undefined; waitFor?: Delivery | undefined },
    prepare: () => Promise<Mutation>,
  ): Promise<SendOutcome> {
    return this.#submit(scopedKey(client, o.key ?? nanoid()), requestHash(request), client, o.waitMs, prepare, o.waitFor);
  }

  /** One request under one key at a time: the first is recorded, a repeat gets its outcome. */
  async #submit(
    key: string,
    hash: string,
    client: TokenRecord,
    waitMs: number | undefined,
    prepare: () => Promise<Mutation>,
    waitFor: Delivery = 'sent',
  ): Promise<SendOutcome> {
    for (let earlier = this.#accepting.get(key); earlier; earlier = this.#accepting.get(key)) await earlier.catch(() => undefined);
    const accepting = this.#intake.accept(key, hash, client, prepare);
    this.#accepting.set(key, accepting);
    let record: OutboxRecord;
    try {
      record = await accepting;
    } finally {
      this.#accepting.delete(key);
    }
    return this.#outcome(await this.#waitUntil(record.key, waitMs ?? this.#options.defaultWaitMs, waitFor));
  }

  /** Dispatches the account's pending sends now (another hub queued one, or this hub may dispatch again). */
  poke(account: string): void {
    this.#pump(account);
  }

  /** Another hub finished a send: callers waiting for its outcome read it now. */
  wake(key: string): void {
    this.#waiters.wake(key);
  }

  /** Dispatches whatever is pending for accounts whose agent is connected (after a restart). */
  start(): void {
    for (const account of this.#registry.connectedAccounts()) this.#pump(account);
  }

  close(): void {
    this.#closed = true;
    this.#expiry.close();
    for (const w of this.#wakeTimers.values()) clearTimeout(w.timer);
    this.#doubts.close();
    this.#waiters.wakeAll();
  }

  #outcome(record: OutboxRecord): SendOutcome {
    return sendOutcome(record);
  }

  /**
   * The record once it is settled — final, or in doubt — (and, when sent, got as far as `waitFor`),
   * or when `waitMs` ran out.
   */
  async #waitUntil(key: string, waitMs: number, waitFor: Delivery = 'sent'): Promise<OutboxRecord> {
    const deadline = Date.now() + waitMs;
    const done = (r: OutboxRecord) => SETTLED.has(r.state) && (r.state !== 'sent' || DELIVERY.indexOf(deliveryOf(r)) >= DELIVERY.indexOf(waitFor));
    for (;;) {
      const current = (await this.#store.outboxGet(key))!;
      const left = deadline - Date.now();
      if (done(current) || left <= 0 || this.#closed) return current;
      await this.#waiters.wait(key, left);
    }
  }

  /**
   * The recipient's device got (or read) a message sent under `key`: recorded in the outcome's
   * `result.delivery` (only forward: sent → delivered → read), with its time.
   */
  receipt(account: string, key: string, status: 'delivered' | 'read', at: string | undefined): Promise<void> {
    return this.#receiptsIn.apply(account, key, status, at);
  }

  async status(clientKey: string, client: TokenRecord, wait: { waitMs?: number | undefined; waitFor?: Delivery | undefined } = {}): Promise<SendOutcome> {
    const record = await this.#find(clientKey, client);
    return this.#outcome(wait.waitMs ? await this.#waitUntil(record.key, wait.waitMs, wait.waitFor) : record);
  }

  /** The operator's word on a send in doubt: `sent`, or `resend` (answered once settled again, or when `waitMs` ran out). */
  async resolve(clientKey: string, outcome: 'sent' | 'resend', client: TokenRecord, waitMs?: number): Promise<SendOutcome> {
    const record = await this.#doubts.resolve(await this.#find(clientKey, client), outcome);
    return this.#outcome(outcome === 'resend' ? await this.#waitUntil(record.key, waitMs ?? this.#options.defaultWaitMs) : record);
  }

  /** A send this token may see, by the key the client gave. */
  async #find(clientKey: string, client: TokenRecord): Promise<OutboxRecord> {
    // A send from before keys were scoped per token is found under the client's key as given.
    const scoped = await this.#store.outboxGet(scopedKey(client, clientKey));
    const legacy = scoped ? undefined : await this.#store.outboxGet(clientKey);
    const record = scoped ?? (legacy?.client === client.id ? legacy : undefined);
    if (!record || !tokenAllows(client, record.account)) throw new HubError('NOT_FOUND', `no send with idempotency key ${clientKey}`);
    return record;
  }

  #changed(record: OutboxRecord): void {
    this.#options.onStateChange?.(record);
    this.#waiters.wake(record.key);
  }

  /**
   * Dispatches the account's pending sends in order while its agent is there: up to WINDOW at once,
   * but never two for the same chat, so each chat's messages leave in the order they were sent.
   */
  #pump(account: string): void {
    if (this.#closed) return;
    if (this.#pumping.has(account)) {
      this.#pumping.set(account, true); // once more when the running pump is done
      return;
    }
    this.#pumping.set(account, false);
    this.#pumpOnce(account)
      .catch((err: Error) => {
        if (!this.#closed) this.#log.error({ account, err: err.message }, 'outbox pump failed; will try again on the next send or reconnect');
      })
      .finally(() => {
        const again = this.#pumping.get(account);
        this.#pumping.delete(account);
        if (again) this.#pump(account);
      });
  }

  async #pumpOnce(account: string): Promise<void> {
    const link = this.#registry.link(account);
    if (!link || this.#options.mayDispatch?.(account) === false) return;
    const busy = this.#inFlight.get(account) ?? new Set<string>();
    this.#inFlight.set(account, busy);
    if (busy.size >= WINDOW) return;
    const blocked = new Set(busy);
    const now = Date.now();
    const pending = await this.#store.outbox({ account, states: ['queued', 'dispatched'] });
    for (const next of pending) {
      if (busy.size >= WINDOW) break;
      const chat = chatKey(next);
      if (blocked.has(chat)) continue;
      blocked.add(chat); // an older send to this chat goes first, even if it waits
      const retryAt = this.#retryAt.get(next.key);
      if (retryAt !== undefined && retryAt > now) {
        this.#wakeAt(account, retryAt);
        continue;
      }
      busy.add(chat);
      await this.#dispatch(account, link, next, () => busy.delete(chat));
    }
  }

  /**
   * The dispatch got no outcome. A lost link: offered again when the agent is back (its ledger
   * answers a key it already took instead of sending twice). Anything else is an attempt, retried
   * with backoff: an answer saying the send never started, or one the hub cannot read (a malformed
   * result, an error without a code), fails the send after MAX_ATTEMPTS; a send in doubt or a
   * timeout is retried until the agent resolves it.
   */
  async #retryLater(record: OutboxRecord, err: Error): Promise<void> {
    const attempts = record.attempts;
    if (err instanceof PeerError && (err.failure === 'PEER_CLOSED' || err.failure === 'WRITE_FAILED')) {
      this.#retryAt.delete(record.key);
      this.#log.warn({ key: record.key, account: record.account, err: err.message }, 'dispatch interrupted; will redeliver');
      return;
    }
    const data = err instanceof RpcError ? (err.data as { code?: unknown } | undefined) : undefined;
    const code = typeof data?.code === 'string' ? data.code : undefined;
    if (code === 'SEND_IN_DOUBT') {
      this.#retryAt.delete(record.key);
      await this.#doubts.record(record, err as RpcError);
      return;
    }
    const unreadable = !(err instanceof PeerError) && code === undefined;
    const neverStarted = code === 'SEND_NOT_STARTED' || code === 'AGENT_OFFLINE' || code === 'PAYLOAD_TOO_LARGE';
    if ((neverStarted || unreadable) && attempts >= (this.#options.retry?.maxAttempts ?? MAX_ATTEMPTS)) {
      this.#retryAt.delete(record.key);
      const updated = await this.#store.outboxUpdate(record.key, {
        state: 'failed',
        error: {
          code: HUB_ERROR_CODES.SEND_FAILED,
          message: `send failed after ${attempts} attempts: ${err.message}`,
          data: { code: 'SEND_FAILED', last: data ?? { message: err.message } },
        },
      });
      this.#log.error(
        { key: record.key, attempts, err: err.message },
        unreadable ? 'send failed: the agent kept answering what the hub cannot read' : 'send failed: the agent could not start it',
      );
      this.#changed(updated);
      return;
    }
    const { baseMs = 500, maxMs = 30_000 } = this.#options.retry ?? {};
    const delay = Math.min(maxMs, baseMs * 2 ** Math.min(attempts - 1, 16)) * (0.5 + Math.random() / 2);
    this.#retryAt.set(record.key, Date.now() + delay);
    this.#log.warn({ key: record.key, account: record.account, err: err.message, retryInMs: Math.round(delay) }, 'dispatch got no outcome; will redeliver');
  }

  #wakeAt(account: string, at: number): void {
    const existing = this.#wakeTimers.get(account);
    if (existing && existing.at <= at) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(
      () => {
        this.#wakeTimers.delete(account);
        this.#pump(account);
      },
      Math.max(0, at - Date.now()),
    );
    timer.unref();
    this.#wakeTimers.set(account, { at, timer });
  }

  /** Marks the send dispatched and hands it to the agent; resolves once it is handed (not answered). */
  async #dispatch(account: string, link: NonNullable<ReturnType<AgentRegistry['link']>>, next: OutboxRecord, done: () => void): Promise<void> {
    let record: OutboxRecord;
    try {
      // An operator's resend goes with this dispatch only: a redelivery after a lost link is answered from the agent's ledger.
      record = await this.#store.outboxUpdate(next.key, { state: 'dispatched', attempts: next.attempts + 1, ...(next.resolution ? { resolution: null } : {}) });
    } catch (err) {
      done();
      throw err;
    }
    this.#changed(record);
    const resend = next.resolution === 'resend';
    const params = {
      ...dispatchParams(record),
      // Past this, an agent that has not started the send refuses it (expired) instead of sending late.
      ...(record.expiresAt !== undefined && !resend ? { not_after: record.expiresAt } : {}),
      ...(resend ? { resolve: 'resend' as const } : {}),
    };
    callAgent(link, 'send.dispatch', params, this.#options.dispatchTimeoutMs ?? 180_000)
      .then(async (result) => {
        this.#retryAt.delete(record.key);
        const expired = result.status === 'failed' && (result.error.data as { code?: string } | undefined)?.code === 'SEND_EXPIRED';
        const updated =
          result.status === 'sent'
            ? await this.#recordSent(record.key, result.result)
            : await this.#store.outboxUpdate(record.key, { state: expired ? 'expired' : 'failed', error: { ...result.error } });
        this.#log.info({ key: record.key, account, state: updated.state }, 'send finished');
        this.#changed(updated);
      })
      .catch((err: Error) => this.#retryLater(record, err))
      .catch((err: Error) => this.#log.error({ key: record.key, err: err.message }, 'could not record the outcome of a dispatch'))
      .finally(() => {
        done();
        if (this.#registry.link(account)) setImmediate(() => this.#pump(account));
      });
  }

  /** Records imsg's answer; links the echo row if it was stored before the answer came back. */
  async #recordSent(key: string, result: Record<string, unknown>): Promise<OutboxRecord> {
    let record = await this.#store.outboxUpdate(key, { state: 'sent', result, error: null });
    const guid = typeof result['guid'] === 'string' ? result['guid'] : undefined;
    if (guid && record.messageSeq === undefined) {
      const echo = (await this.#store.copies([guid])).find((c) => c.account === record.account);
      if (echo) {
        await this.#store.linkEcho(echo.seq, key);
        record = await this.#store.outboxUpdate(key, { messageSeq: echo.seq });
      }
    }
    return record;
  }
}
