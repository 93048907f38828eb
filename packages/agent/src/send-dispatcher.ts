import { RpcError, type Peer } from '@imsg-hub/jsonrpc';
import { HUB_ERROR_CODES, HubError, type SendDispatchParams, type SendDispatchResult } from '@imsg-hub/hub-protocol';
import type { ImsgClient, SendParams } from '@imsg-hub/imsg-protocol';
import type { Logger } from 'pino';
import { findEcho } from './echo-finder.js';
import { AgentError } from './errors.js';
import type { SourceFiles, TempFile } from './imsg-source.js';
import { stageOutboundFile } from './outbound-file.js';
import type { LedgerEntry, SendLedger } from './send-ledger.js';

export interface SendDispatcherOptions {
  account: string;
  ledger: SendLedger;
  /** A live imsg client; waits (bounded) for one and throws when imsg is not running. */
  imsg: () => Promise<ImsgClient>;
  files: SourceFiles;
  /** The current hub link, for `blob.read`. */
  peer: () => Peer | undefined;
  maxBytes: number;
  sendTimeoutMs: number;
  echoWaitMs: number;
  log: Logger;
}

/**
 * `send.dispatch` for one account: each key reaches imsg `send` at most once, ever (design.md,
 * outbound contract). The key is durably `passing` before imsg sees it; a redelivered key with an
 * outcome gets that outcome; a key left `passing` by a crash is resolved by looking for its echo row.
 */
export class SendDispatcher {
  readonly #o: SendDispatcherOptions;
  readonly #inFlight = new Map<string, Promise<SendDispatchResult>>();

  constructor(options: SendDispatcherOptions) {
    this.#o = options;
  }

  dispatch(p: SendDispatchParams): Promise<SendDispatchResult> {
    // A redelivery while the first is still running shares its outcome.
    const running = this.#inFlight.get(p.key);
    if (running) return running;
    const job = this.#dispatch(p)
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
    const inDoubt = this.#o.ledger.get(key)?.state === 'passing';
    const message = `send ${key} did not complete: ${(err as Error)?.message ?? String(err)}; redeliver it to resolve`;
    return new HubError(inDoubt ? 'SEND_IN_DOUBT' : 'SEND_NOT_STARTED', message, { retryable: true });
  }

  async #dispatch(p: SendDispatchParams): Promise<SendDispatchResult> {
    const entry = this.#o.ledger.get(p.key);
    if (entry?.state === 'sent') return { status: 'sent', result: { ok: true, ...entry.result } };
    if (entry?.state === 'failed') return { status: 'failed', error: entry.error };
    if (entry?.state === 'passing') {
      const resolved = await this.#resolveInDoubt(entry, p);
      if (resolved) return resolved;
    }
    if (p.not_after !== undefined && Date.now() > p.not_after) return this.#expired(p);
    return this.#send(p, true);
  }

  /** Never started and past its deadline: refuse rather than send late (recorded, so a redelivery agrees). */
  #expired(p: SendDispatchParams): SendDispatchResult {
    const error = {
      code: HUB_ERROR_CODES.SEND_EXPIRED,
      message: `send expired: it was not started before its queue TTL ran out (${new Date(p.not_after!).toISOString()})`,
      data: { code: 'SEND_EXPIRED' },
    };
    this.#o.ledger.recordFailed(p.key, error);
    this.#o.log.warn({ key: p.key }, 'send expired before it started; not sending');
    return { status: 'failed', error };
  }

  async #resolveInDoubt(entry: LedgerEntry, p: SendDispatchParams): Promise<SendDispatchResult | undefined> {
    const client = await this.#o.imsg();
    const echo = await findEcho(
      client,
      {
        params: entry.params as SendParams,
        ...(p.file ? { fileName: p.file.name } : {}),
        passedAt: entry.passedAt,
        claimed: this.#o.ledger.claimedRowids(this.#o.account),
      },
      { waitMs: this.#o.echoWaitMs, timeoutMs: this.#o.sendTimeoutMs },
    );
    if (!echo) {
      this.#o.log.info({ key: p.key }, 'send in doubt was not sent: sending it now');
      return undefined;
    }
    const result = { ok: true, id: echo.id, ...(echo.guid ? { guid: echo.guid } : {}) };
    this.#o.ledger.recordSent(p.key, result, echo.id);
    this.#o.log.info({ key: p.key, rowid: echo.id }, 'send in doubt had been sent: found its echo row');
    return { status: 'sent', result };
  }

  async #send(p: SendDispatchParams, mayResolve: boolean): Promise<SendDispatchResult> {
    const { ledger, log } = this.#o;
    let temp: TempFile | undefined;
    try {
      if (p.file) {
        const staged = await this.#stage(p);
        if ('status' in staged) return staged;
        temp = staged;
      }
      const client = await this.#o.imsg();
      const params: SendParams = temp ? { ...p.params, file: temp.path } : p.params;
      ledger.recordPassing(p.key, this.#o.account, params, Date.now());
      try {
        const result = await client.send(params, this.#o.sendTimeoutMs);
        ledger.recordSent(p.key, result, result.id);
        return { status: 'sent', result };
      } catch (err) {
        if (err instanceof RpcError) {
          const error = { code: err.code, message: err.message, ...(err.data !== undefined ? { data: err.data } : {}) };
          ledger.recordFailed(p.key, error);
          return { status: 'failed', error };
        }
        // imsg died, timed out or answered nonsense: the send may or may not have happened.
        log.warn({ key: p.key, err: (err as Error).message }, 'send outcome in doubt');
        const entry = ledger.get(p.key);
        if (mayResolve && entry?.state === 'passing') {
          const resolved = await this.#resolveInDoubt(entry, p);
          return resolved ?? (await this.#send(p, false));
        }
        throw err;
      }
    } finally {
      await temp?.remove();
    }
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
