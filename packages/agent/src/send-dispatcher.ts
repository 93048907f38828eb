import { setTimeout as sleep } from 'node:timers/promises';
import { RpcError, type Peer } from '@imsg-hub/jsonrpc';
import { HUB_ERROR_CODES, HubError, type SendDispatchParams, type SendDispatchResult } from '@imsg-hub/hub-protocol';
import type { SendParams } from '@imsg-hub/imsg-protocol';
import type { Logger } from 'pino';
import { attemptId } from './attempt-id.js';
import { AgentError } from './errors.js';
import { classifyImsgFailure, type ImsgFailure } from './imsg-failure.js';
import { tracksSends } from './imsg-profile.js';
import type { ImsgSession } from './imsg-session.js';
import type { SourceFiles, TempFile } from './imsg-source.js';
import { LaneGuard } from './lane-guard.js';
import { namedLocalPaths, withPathAt } from './local-path-params.js';
import type { PathGuard } from './path-guard.js';
import { stageOutboundFile } from './outbound-file.js';
import { awaitSent, lookupSent, resultFromStatus } from './sent-lookup.js';
import type { ImsgErrorObject, LedgerEntry, SendLedger } from './send-ledger.js';

export interface SendDispatcherOptions {
  account: string;
  ledger: SendLedger;
  /** A live imsg; waits (bounded) for one and throws AGENT_OFFLINE when imsg is not running. */
  imsg: () => Promise<ImsgSession>;
  files: SourceFiles;
  /** attachments.outbound_dir: the one folder a send may name files in; absent, none may be named. */
  outbound?: PathGuard | undefined;
  /** The current hub link, for `blob.read`. */
  peer: () => Peer | undefined;
  maxBytes: number;
  sendTimeoutMs: number;
  /** Restarts this imsg (its mutation lane is blocked); resolves once a new imsg runs. */
  restartImsg: (session: ImsgSession, reason: string) => Promise<void>;
  /** A key imsg applied: its result (a send's carries the message guid). */
  onSent?: (key: string, result: Record<string, unknown>) => void;
  /** chat.db is unreadable (-32002): the owner refreshes and reports the account's health. */
  onDatabaseUnavailable?: () => void;
  /** How long an unknown outcome of a tracked send is looked up with `message.send_status`. */
  resolveWaitMs?: number;
  /** Backoff while imsg is busy or chat.db unavailable, and between retries of a send not started. */
  retry?: { initialMs: number; maxMs: number };
  log: Logger;
}

/** How one key goes to imsg: the method, its params, and for send.tracked the guid chosen before. */
interface Plan {
  method: string;
  params: Record<string, unknown>;
  attemptId?: string | undefined;
}

/** Retries of a send imsg proved it never started, before the hub is told so (it offers it again later). */
const NOT_STARTED_RETRIES = 3;

/**
 * `send.dispatch` for one account: each key reaches imsg at most once unless imsg proves it never
 * started (design.md, outbound contract). The key is durably `passing` before imsg sees it; a
 * redelivered key with an outcome gets that outcome. Text sends go through `send.tracked` where
 * the account offers it, under a guid derived from the key, so an unknown outcome is settled by
 * `message.send_status` — and, after a crash, re-issued under the same guid, which cannot make a
 * second message. Anything else whose outcome is unknown stays `in_doubt`: never re-sent on a guess.
 * imsg's typed answers (reference/imsg-protocol-v1.md §2.4) decide the rest: not started → retry,
 * busy or chat.db unavailable → wait with backoff, mutation lane blocked → stop, restart imsg, go on.
 */
export class SendDispatcher {
  readonly #o: SendDispatcherOptions;
  readonly #inFlight = new Map<string, Promise<SendDispatchResult>>();
  readonly #lane: LaneGuard;

  constructor(options: SendDispatcherOptions) {
    this.#o = options;
    this.#lane = new LaneGuard({ restart: options.restartImsg, settleMs: (options.resolveWaitMs ?? 10_000) + 5_000, log: options.log });
  }

  dispatch(p: SendDispatchParams): Promise<SendDispatchResult> {
    // A redelivery (or a question about a key in doubt) while the first is still running shares its
    // outcome; an operator's resolution waits for it and then applies.
    const running = this.#inFlight.get(p.key);
    const operator = p.resolve === 'sent' || p.resolve === 'resend';
    if (running && !operator) return running;
    const job = (
      running
        ? running.then(
            () => this.#dispatch(p),
            () => this.#dispatch(p),
          )
        : this.#dispatch(p)
    )
      .catch((err: unknown) => {
        throw this.#asAnswer(p.key, err);
      })
      .finally(() => this.#inFlight.delete(p.key));
    this.#inFlight.set(p.key, job);
    return job;
  }

  /** Whether any send is in progress (the watchdog must not kill imsg then). */
  get busy(): boolean {
    return this.#inFlight.size > 0;
  }

  /** Waits for sends in progress (shutdown must not cut imsg off mid-send). */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.#inFlight.values()]);
  }

  /** An error for the hub: RpcErrors as they are; anything else retryable, saying whether imsg may have the key. */
  #asAnswer(key: string, err: unknown): RpcError {
    if (err instanceof RpcError) return err;
    const state = this.#o.ledger.get(key)?.state;
    if (state === 'passing' || state === 'in_doubt') return inDoubt(key, (err as Error)?.message ?? String(err));
    return notStarted(key, (err as Error)?.message ?? String(err));
  }

  async #dispatch(p: SendDispatchParams): Promise<SendDispatchResult> {
    const entry = this.#o.ledger.get(p.key);
    if (p.resolve === 'sent') return this.#operatorSent(p.key, entry);
    if (p.resolve === 'check' && !entry) throw inDoubt(p.key, 'this agent has no record of it');
    if (p.resolve === 'resend' && entry?.state === 'in_doubt') {
      const settled = await this.#resend(entry);
      if (settled) return settled;
      return this.#dispatch({ ...p, resolve: undefined });
    }
    if (entry?.state === 'sent') return { status: 'sent', result: { ok: true, ...entry.result } };
    if (entry?.state === 'failed') return { status: 'failed', error: entry.error };
    if (entry?.state === 'in_doubt') return this.#settleDoubt(entry);
    if (entry?.state === 'passing') return this.#recover(entry);
    if (p.not_after !== undefined && Date.now() > p.not_after) return this.#expired(p);
    const checked = await this.#checkLocalPaths(p);
    if ('status' in checked) return checked;
    let temp: TempFile | undefined;
    try {
      if (p.file) {
        const staged = await this.#stage(p);
        if ('status' in staged) return staged;
        temp = staged;
      }
      const session = await this.#session();
      return await this.#run(p.key, this.#plan({ ...p, params: checked.params }, session, temp));
    } finally {
      await temp?.remove();
    }
  }

  /** send.tracked for a text send where the account offers it; otherwise the method as asked. */
  #plan(p: SendDispatchParams, session: ImsgSession, temp: TempFile | undefined): Plan {
    const method = p.method ?? 'send';
    const params: Record<string, unknown> = temp ? { ...p.params, file: temp.path } : { ...p.params };
    const text = typeof params['text'] === 'string' ? params['text'] : '';
    const appleScript = typeof params['transport'] === 'string' && params['transport'].toLowerCase() === 'applescript';
    if (method === 'send' && !temp && text !== '' && !appleScript && tracksSends(session.profile)) {
      const id = attemptId(p.key, this.#o.account);
      return { method: 'send.tracked', params: { ...params, attempt_id: id }, attemptId: id };
    }
    return { method, params };
  }

  /** Hands the key to imsg until it has an outcome imsg stated, waiting out what imsg says is temporary. */
  async #run(key: string, first: Plan): Promise<SendDispatchResult> {
    const { ledger, log } = this.#o;
    const deadline = Date.now() + this.#o.sendTimeoutMs;
    let plan = first;
    let delay = this.#o.retry?.initialMs ?? 250;
    let notStartedTries = 0;
    const backoff = async () => {
      await sleep(delay);
      delay = Math.min(this.#o.retry?.maxMs ?? 5_000, delay * 2);
    };
    for (;;) {
      const session = await this.#session();
      ledger.recordPassing(key, this.#o.account, plan.params, Date.now(), { method: plan.method, attemptId: plan.attemptId });
      let result: Record<string, unknown>;
      try {
        result = await this.#lane.call(session, () => this.#call(session, plan));
      } catch (err) {
        const failure = classifyImsgFailure(err);
        // A tracked send whose guid already names a message was sent, whatever imsg said about this try.
        if (plan.attemptId && (failure.kind === 'not_started' || failure.kind === 'refused')) {
          const found = await lookupSent(session.client, plan.attemptId, this.#o.sendTimeoutMs).catch(() => undefined);
          if (found) return this.#sent(key, resultFromStatus(found, plan.attemptId));
        }
        const late = Date.now() >= deadline;
        switch (failure.kind) {
          case 'refused':
            if (plan.attemptId && failure.error.code === -32602) {
              // Refused before dispatch (no existing chat for the bridge, bridge not ready): a plain send.
              log.info({ key, err: failure.error.data }, 'send.tracked refused this target; sending it untracked');
              const { attempt_id: _a, ...params } = plan.params;
              plan = { method: 'send', params };
              continue;
            }
            ledger.recordFailed(key, failure.error);
            return { status: 'failed', error: failure.error };
          case 'not_started':
            ++notStartedTries;
            if (plan.attemptId && notStartedTries > 1) {
              // The bridge cannot take it as a tracked send (no chat, no caller-owned guids): a plain
              // send, where imsg applies its own fallbacks (AppleScript), as an untracked send.
              log.info({ key, err: failure.error.data }, 'send.tracked did not start twice; sending it untracked');
              const { attempt_id: _a, ...params } = plan.params;
              plan = { method: 'send', params };
              continue;
            }
            if (notStartedTries > NOT_STARTED_RETRIES || late) return this.#gaveUp(key, failure, 'imsg could not start it');
            log.warn({ key, tries: notStartedTries }, 'imsg did not start the send; retrying');
            await backoff();
            continue;
          case 'busy':
          case 'database_unavailable':
            if (failure.kind === 'database_unavailable') this.#o.onDatabaseUnavailable?.();
            if (late) return this.#gaveUp(key, failure, failure.kind === 'busy' ? 'imsg stayed busy' : 'chat.db stayed unavailable');
            log.warn({ key, kind: failure.kind, retryInMs: delay }, 'imsg cannot take the send now; waiting');
            await backoff();
            continue;
          case 'lane_blocked':
            if (late) return this.#gaveUp(key, failure, "imsg's mutation lane stayed blocked");
            log.warn({ key }, 'imsg refused the send (-32004, mutation lane blocked): sending it again once imsg restarted');
            await this.#lane.blocked(session, `imsg refused ${plan.method} with -32004 (mutation lane blocked)`);
            continue;
          case 'in_doubt':
            return this.#doubt(key, plan, session, failure);
          case 'lost':
            return this.#lost(key, plan, session, failure.cause);
        }
      }
      return this.#sent(key, result);
    }
  }

  async #call(session: ImsgSession, plan: Plan): Promise<Record<string, unknown>> {
    const { client } = session;
    const timeout = this.#o.sendTimeoutMs;
    if (plan.method === 'send.tracked') return client.sendTracked(plan.params as SendParams & { attempt_id: string }, timeout);
    if (plan.method === 'send') return client.send(plan.params as SendParams, timeout);
    const result = await client.peer.request(plan.method, plan.params, { timeoutMs: timeout });
    if (typeof result !== 'object' || result === null || Array.isArray(result)) {
      throw new TypeError(`imsg ${plan.method} returned ${JSON.stringify(result)?.slice(0, 200)}, not an object`);
    }
    return result as Record<string, unknown>;
  }

  #sent(key: string, result: Record<string, unknown>): SendDispatchResult {
    this.#o.ledger.recordSent(key, result, typeof result['id'] === 'number' ? result['id'] : undefined);
    this.#o.onSent?.(key, result);
    return { status: 'sent', result: { ok: true, ...result } };
  }

  /** imsg proved it never started, for long enough: forgotten, and the hub offers it again later. */
  #gaveUp(key: string, failure: Extract<ImsgFailure, { error: ImsgErrorObject }>, why: string): never {
    this.#o.ledger.forget(key);
    throw notStarted(key, `${why} (${failure.error.message}${typeof failure.error.data === 'string' ? `: ${failure.error.data}` : ''})`, failure.error);
  }

  /** -32001: maybe sent. Tracked: looked up for a while; otherwise (or not found) in doubt. */
  async #doubt(key: string, plan: Plan, session: ImsgSession, failure: Extract<ImsgFailure, { kind: 'in_doubt' }>): Promise<SendDispatchResult> {
    this.#o.ledger.recordInDoubt(key, failure.error);
    this.#o.log.warn({ key, disposition: failure.disposition }, 'imsg does not know whether the send happened');
    // still_in_flight blocks imsg's mutation lane: once this key is looked up, imsg is restarted.
    const restart = failure.disposition === 'still_in_flight' ? this.#lane.blocked(session, `a ${plan.method} is still in flight in imsg`) : undefined;
    if (plan.attemptId) {
      const found = await this.#lane.settling(session, () =>
        awaitSent(session.client, plan.attemptId!, { waitMs: this.#o.resolveWaitMs ?? 10_000, timeoutMs: this.#o.sendTimeoutMs }),
      );
      if (found) {
        this.#o.log.info({ key }, 'send in doubt found by message.send_status: sent');
        return this.#sent(key, resultFromStatus(found, plan.attemptId));
      }
    }
    void restart?.catch(() => undefined);
    throw inDoubt(key, `imsg answered ${failure.error.message} (${failure.disposition})`, failure.error);
  }

  /** No answer (timeout, imsg gone). Tracked: left `passing` (a redelivery looks it up, then re-issues it). */
  async #lost(key: string, plan: Plan, session: ImsgSession, cause: Error): Promise<SendDispatchResult> {
    this.#o.log.warn({ key, err: cause.message }, 'send outcome unknown: imsg did not answer');
    if (plan.attemptId) {
      const found = await lookupSent(session.client, plan.attemptId, this.#o.sendTimeoutMs).catch(() => undefined);
      if (found) return this.#sent(key, resultFromStatus(found, plan.attemptId));
      throw inDoubt(key, cause.message);
    }
    this.#o.ledger.recordInDoubt(key, { code: HUB_ERROR_CODES.SEND_IN_DOUBT, message: `imsg did not answer: ${cause.message}`.slice(0, 500) });
    throw inDoubt(key, cause.message);
  }

  /** A key left `passing` by a crash (of the agent or imsg). */
  async #recover(entry: LedgerEntry): Promise<SendDispatchResult> {
    if (!entry.attemptId) {
      this.#o.ledger.recordInDoubt(entry.key, { code: HUB_ERROR_CODES.SEND_IN_DOUBT, message: 'the agent or imsg stopped while imsg had this send' });
      this.#o.log.warn({ key: entry.key }, 'send left passing by a crash cannot be proven sent or unsent: in doubt');
      throw inDoubt(entry.key, 'the agent or imsg stopped while imsg had it, and an untracked send cannot be looked up');
    }
    const session = await this.#session();
    const found = await lookupSent(session.client, entry.attemptId, this.#o.sendTimeoutMs);
    if (found) {
      this.#o.log.info({ key: entry.key }, 'send left passing had been sent (message.send_status)');
      return this.#sent(entry.key, resultFromStatus(found, entry.attemptId));
    }
    // No message has its guid: issuing it again under the same guid cannot make a second one.
    this.#o.log.info({ key: entry.key }, 'send left passing was not sent; sending it under its guid');
    return this.#run(entry.key, { method: entry.method, params: entry.params, attemptId: entry.attemptId });
  }

  /** A redelivered key in doubt: tracked ones are looked up again; the others stay in doubt. */
  async #settleDoubt(entry: Extract<LedgerEntry, { state: 'in_doubt' }>): Promise<SendDispatchResult> {
    if (entry.attemptId) {
      const session = await this.#session();
      const found = await lookupSent(session.client, entry.attemptId, this.#o.sendTimeoutMs).catch(() => undefined);
      if (found) return this.#sent(entry.key, resultFromStatus(found, entry.attemptId));
    }
    throw inDoubt(entry.key, entry.doubt ? `imsg answered ${entry.doubt.message}` : 'its outcome is unknown', entry.doubt);
  }

  /** The operator saw it arrive: recorded sent (whatever the ledger still doubted); imsg is not asked. */
  #operatorSent(key: string, entry: LedgerEntry | undefined): SendDispatchResult {
    if (entry?.state === 'sent') return { status: 'sent', result: { ok: true, ...entry.result } };
    const result = { resolved_by: 'operator' };
    if (entry) this.#o.ledger.recordSent(key, result);
    this.#o.log.info({ key }, 'send in doubt resolved as sent by the operator');
    return { status: 'sent', result: { ok: true, ...result } };
  }

  /**
   * The operator saw it did not arrive. A tracked send is looked up once more (found: sent, whatever
   * the operator thought) and otherwise issued again under its guid, which cannot make a second
   * message; an untracked one is forgotten, so it goes out as a new send (undefined is returned).
   */
  async #resend(entry: Extract<LedgerEntry, { state: 'in_doubt' }>): Promise<SendDispatchResult | undefined> {
    this.#o.log.info({ key: entry.key, tracked: entry.attemptId !== undefined }, 'send in doubt resolved as not sent by the operator: sending it again');
    if (!entry.attemptId) {
      this.#o.ledger.release(entry.key);
      return undefined;
    }
    const session = await this.#session();
    const found = await lookupSent(session.client, entry.attemptId, this.#o.sendTimeoutMs);
    if (found) return this.#sent(entry.key, resultFromStatus(found, entry.attemptId));
    return this.#run(entry.key, { method: entry.method, params: entry.params, attemptId: entry.attemptId });
  }

  /** A live imsg whose mutation lane is not being restarted. */
  async #session(): Promise<ImsgSession> {
    await this.#lane.ready();
    return this.#o.imsg();
  }

  /** Never started and past its deadline: refuse rather than send late (recorded, so a redelivery agrees). */
  #expired(p: SendDispatchParams): SendDispatchResult {
    const error = {
      code: HUB_ERROR_CODES.SEND_EXPIRED,
      message: `send expired: it was not started before its queue TTL ran out (${new Date(p.not_after!).toISOString()})`,
      data: { code: 'SEND_EXPIRED' },
    };
    this.#o.ledger.recordPassing(p.key, this.#o.account, p.params, Date.now(), { method: p.method ?? 'send' });
    this.#o.ledger.recordFailed(p.key, error);
    this.#o.log.warn({ key: p.key }, 'send expired before it started; not sending');
    return { status: 'failed', error };
  }

  /**
   * Files a send names by path (issue 10, point 4): only under attachments.outbound_dir, by real
   * path (the params then carry the real path). Anything else is refused before imsg sees it:
   * whoever controls the hub must not make this Mac send its files. The agent's own staged blob is added later.
   */
  async #checkLocalPaths(p: SendDispatchParams): Promise<{ params: SendDispatchParams['params'] } | SendDispatchResult> {
    const named = namedLocalPaths(p.params);
    if (named.length === 0) return { params: p.params };
    let params = p.params;
    for (const { key, at, path } of named) {
      const real = this.#o.outbound ? await this.#o.outbound.inside(path).catch(() => undefined) : undefined;
      if (real === undefined) return this.#refusePath(p, key, path);
      params = withPathAt(params, at, real);
    }
    return { params };
  }

  #refusePath(p: SendDispatchParams, key: string, path: string): SendDispatchResult {
    const rule = this.#o.outbound
      ? `it is not a file under attachments.outbound_dir (${this.#o.outbound.root}), symlinks and .. resolved`
      : 'this agent sends only files the hub hands it as blobs; set attachments.outbound_dir in the agent config to allow files from one folder';
    const error = {
      code: HUB_ERROR_CODES.LOCAL_PATH_REFUSED,
      message: `send refused, never started: its params name the local path ${JSON.stringify(path.slice(0, 300))} (${key}); ${rule}. Upload the file to the hub and send it as a file instead.`,
      data: { code: 'LOCAL_PATH_REFUSED', param: key },
    };
    this.#o.ledger.recordPassing(p.key, this.#o.account, p.params, Date.now(), { method: p.method ?? 'send' });
    this.#o.ledger.recordFailed(p.key, error);
    this.#o.log.warn({ key: p.key, param: key }, 'send refused: its params name a local path outside attachments.outbound_dir');
    return { status: 'failed', error };
  }

  async #stage(p: SendDispatchParams): Promise<TempFile | SendDispatchResult> {
    const peer = this.#o.peer();
    if (!peer) throw new AgentError('LINK_DOWN', 'the hub link is down: cannot fetch the file to send');
    try {
      return await stageOutboundFile(peer, this.#o.files, p.file!, this.#o.maxBytes);
    } catch (err) {
      if (err instanceof AgentError && err.code === 'FILE_TOO_LARGE') {
        return {
          status: 'failed',
          error: { code: HUB_ERROR_CODES.PAYLOAD_TOO_LARGE, message: err.message, data: { code: 'PAYLOAD_TOO_LARGE' } },
        };
      }
      throw err;
    }
  }
}

/** The hub keeps offering the key (with backoff) and the agent answers this until it is proven. */
function inDoubt(key: string, why: string, imsg?: ImsgErrorObject): HubError {
  return new HubError(
    'SEND_IN_DOUBT',
    `send ${key} may or may not have happened (${why}); it is never sent again on a guess — check the chat, then resolve it explicitly`,
    { retryable: true, ...(imsg ? { imsg } : {}) },
  );
}

function notStarted(key: string, why: string, imsg?: ImsgErrorObject): HubError {
  return new HubError('SEND_NOT_STARTED', `send ${key} did not start: ${why}; it is safe to offer it again`, {
    retryable: true,
    ...(imsg ? { imsg } : {}),
  });
}
