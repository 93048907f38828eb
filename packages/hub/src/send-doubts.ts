import { HUB_ERROR_CODES, HubError, type SendDispatchParams, type SendDispatchResult } from '@imsg-hub/hub-protocol';
import { RpcError } from '@imsg-hub/jsonrpc';
import type { OutboxRecord, Store } from '@imsg-hub/store';
import type { Logger } from 'pino';
import { type AgentRegistry, callAgent } from './agent-registry.js';
import { clientKey } from './model/idempotency-key.js';

export interface SendDoubtsDeps {
  store: Store;
  registry: AgentRegistry;
  log: Logger;
  /** A record changed: tell waiters, watches and metrics. */
  changed: (record: OutboxRecord) => void;
  /** Records imsg's answer for a key (and links its echo row). */
  recordSent: (key: string, result: Record<string, unknown>) => Promise<OutboxRecord>;
  /** Dispatches the account's pending sends (a resend was queued). */
  pump: (account: string) => void;
  /** Whether this hub may dispatch the account's sends (several hubs: it holds the agent link). */
  mayDispatch: (account: string) => boolean;
  /** The longest wait between two questions to the agent about one send in doubt (the first comes after a second, then doubling). */
  checkEveryMs: number;
  dispatchTimeoutMs: number;
}

/** Sends in doubt loaded per account when its agent links (more are found as they come due). */
const LOAD_BATCH = 1000;
/** The first question about a send in doubt comes this long after it; each next one twice as long, up to checkEveryMs. */
const FIRST_CHECK_MS = 1000;

interface Due {
  account: string;
  at: number;
  delay: number;
}

/**
 * Sends in doubt (design.md "Outbound contract"): the account's imsg may or may not have sent them.
 * They leave their chat's queue (later sends to the chat go on), are never sent again on a guess,
 * and are settled only by what is known: the agent is asked again now and then (a tracked send is
 * looked up with `message.send_status`; nothing is ever sent by asking), or the operator resolves
 * one after looking at the chat — `sent`, or `resend` to send it once more.
 */
export class SendDoubts {
  readonly #d: SendDoubtsDeps;
  readonly #checking = new Set<string>();
  /** Sends in doubt this hub knows of, and when to ask about each next. */
  readonly #due = new Map<string, Due>();
  readonly #timer: NodeJS.Timeout;

  constructor(deps: SendDoubtsDeps) {
    this.#d = deps;
    deps.registry.onChange((account, link) => link && void this.#load(account));
    this.#timer = setInterval(() => this.#tick(), Math.min(FIRST_CHECK_MS, deps.checkEveryMs));
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
  }

  /** The agent answered `SEND_IN_DOUBT`: the send is in doubt until proven or resolved. */
  async record(record: OutboxRecord, err: RpcError): Promise<void> {
    const updated = await this.#d.store.outboxUpdate(record.key, {
      state: 'in_doubt',
      error: { code: HUB_ERROR_CODES.SEND_IN_DOUBT, message: err.message, data: err.data },
    });
    this.#d.log.warn({ key: record.key, account: record.account }, 'send in doubt: never sent again on a guess; resolve it after checking the chat');
    this.#schedule(record.key, record.account, Math.min(FIRST_CHECK_MS, this.#d.checkEveryMs));
    this.#d.changed(updated);
  }

  /** The account's agent linked: its sends in doubt are asked about now. */
  async #load(account: string): Promise<void> {
    try {
      for (const r of await this.#d.store.outbox({ account, states: ['in_doubt'], limit: LOAD_BATCH })) this.#schedule(r.key, account, 0);
      this.check(account);
    } catch (err) {
      this.#d.log.warn({ account, err: (err as Error).message }, 'could not read the sends in doubt; will try on the next link');
    }
  }

  #schedule(key: string, account: string, delay: number): void {
    this.#due.set(key, { account, at: Date.now() + delay, delay: Math.max(delay, Math.min(FIRST_CHECK_MS, this.#d.checkEveryMs)) });
  }

  #tick(): void {
    const now = Date.now();
    const accounts = new Set<string>();
    for (const due of this.#due.values()) if (due.at <= now) accounts.add(due.account);
    for (const account of accounts) this.check(account);
  }

  /** Asks the account's agent again about its sends in doubt that are due (one round at a time per account). */
  check(account: string): void {
    if (this.#checking.has(account) || !this.#d.registry.link(account) || !this.#d.mayDispatch(account)) return;
    this.#checking.add(account);
    this.#checkAccount(account)
      .catch((err: Error) => this.#d.log.warn({ account, err: err.message }, 'could not ask the agent about sends in doubt; will ask again'))
      .finally(() => this.#checking.delete(account));
  }

  async #checkAccount(account: string): Promise<void> {
    const now = Date.now();
    const keys = [...this.#due].filter(([, d]) => d.account === account && d.at <= now).map(([key]) => key);
    for (const key of keys) {
      const link = this.#d.registry.link(account);
      if (!link) return;
      const record = await this.#d.store.outboxGet(key);
      const due = this.#due.get(key);
      if (record?.state !== 'in_doubt' || !due) {
        this.#due.delete(key); // resolved meanwhile
        continue;
      }
      // Asked again later whatever happens now; a settled answer drops it below.
      const delay = Math.min(due.delay * 2, this.#d.checkEveryMs);
      this.#due.set(key, { account, at: Date.now() + delay, delay });
      let answer: SendDispatchResult;
      try {
        answer = await callAgent(link, 'send.dispatch', { ...dispatchParams(record), resolve: 'check' }, this.#d.dispatchTimeoutMs);
      } catch (err) {
        if (!(err instanceof RpcError) || (err.data as { code?: unknown } | undefined)?.code !== 'SEND_IN_DOUBT') throw err;
        continue; // still unknown
      }
      const current = await this.#d.store.outboxGet(record.key);
      this.#due.delete(key);
      if (current?.state !== 'in_doubt') continue; // resolved meanwhile
      const updated =
        answer.status === 'sent'
          ? await this.#d.recordSent(record.key, answer.result)
          : await this.#d.store.outboxUpdate(record.key, { state: 'failed', error: { ...answer.error } });
      this.#d.log.info({ key: record.key, account, state: updated.state }, 'send in doubt settled by the agent');
      this.#d.changed(updated);
    }
  }

  /**
   * The operator's word on a send in doubt. `sent`: recorded sent (the agent's ledger is told when
   * linked); `resend`: queued again, and the next dispatch tells the agent to send it once more.
   */
  async resolve(record: OutboxRecord, outcome: 'sent' | 'resend'): Promise<OutboxRecord> {
    if (record.state !== 'in_doubt') {
      throw new HubError(
        'INVALID_PARAMS',
        `send ${clientKey(record)} is ${record.state}, not in doubt: only a send in doubt can be resolved (see its state with send.status)`,
      );
    }
    this.#due.delete(record.key);
    if (outcome === 'resend') {
      const updated = await this.#d.store.outboxUpdate(record.key, { state: 'queued', resolution: 'resend', error: null });
      this.#d.log.info({ key: record.key, account: record.account }, 'send in doubt resolved by the operator: sending it again');
      this.#d.changed(updated);
      this.#d.pump(record.account);
      return updated;
    }
    const updated = await this.#d.recordSent(record.key, { ...record.result, resolved_by: 'operator' });
    this.#d.log.info({ key: record.key, account: record.account }, 'send in doubt resolved by the operator: sent');
    this.#d.changed(updated);
    const link = this.#d.registry.link(record.account);
    if (link) {
      // Best effort: the agent's ledger stops counting it as open. The hub never offers a sent key again.
      callAgent(link, 'send.dispatch', { ...dispatchParams(record), resolve: 'sent' }, this.#d.dispatchTimeoutMs).catch((err: Error) =>
        this.#d.log.debug({ key: record.key, err: err.message }, 'agent not told of the resolution'),
      );
    }
    return updated;
  }
}

/** What the agent is told about a key (its method, params and file), without a deadline. */
export function dispatchParams(record: OutboxRecord): SendDispatchParams {
  return {
    key: record.key,
    account: record.account,
    ...(record.method !== 'send' ? { method: record.method as NonNullable<SendDispatchParams['method']> } : {}),
    params: record.params,
    ...(record.file ? { file: record.file } : {}),
  };
}
