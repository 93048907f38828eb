import { HubError, type SendRequest } from '@imsg-hub/hub-protocol';
import type { OutboxRecord, Store, TokenRecord } from '@imsg-hub/store';
import type { Logger } from 'pino';
import type { AgentRegistry } from './agent-registry.js';
import type { BlobStore } from './blob-store.js';
import { clientKey } from './model/idempotency-key.js';
import type { Mutation } from './mutation.js';
import { outboundFile } from './outbound-file.js';
import type { Router } from './router.js';
import type { SendLimiter } from './store-rate-limiter.js';
import { tokenAllows } from './token-auth.js';

export interface SendIntakeDeps {
  store: Store;
  registry: AgentRegistry;
  limiter: SendLimiter;
  log: Logger;
  defaultTtlS: number;
  /** A new record was stored (queued): tell watchers and dispatch. */
  queued: (record: OutboxRecord) => void;
}

/**
 * Taking a mutation into the outbox under its key: a repeated key is checked against the first
 * request (same token scope, same request) and answers its record; a new one is routed and gated
 * (`prepare`), refused when its agent is offline without queueing allowed or its account is over
 * its rate, and stored `queued`.
 */
export class SendIntake {
  readonly #d: SendIntakeDeps;

  constructor(deps: SendIntakeDeps) {
    this.#d = deps;
  }

  async accept(key: string, hash: string, client: TokenRecord, prepare: () => Promise<Mutation>): Promise<OutboxRecord> {
    const { store, registry, limiter, log } = this.#d;
    const existing = await store.outboxGet(key);
    if (existing) {
      if (!tokenAllows(client, existing.account)) throw new HubError('TOKEN_SCOPE', `send ${clientKey(existing)} belongs to an account this token may not see`);
      if (existing.requestHash !== hash) {
        throw new HubError('IDEMPOTENCY_CONFLICT', `idempotency key ${clientKey(existing)} was already used for a different request; use a new key`);
      }
      return existing;
    }
    const m = await prepare();
    const ttl = m.ttlS ?? this.#d.defaultTtlS;
    if (registry.link(m.account) === undefined && ttl === 0) {
      throw new HubError('AGENT_OFFLINE', `the agent for ${m.account} is offline and queue_ttl_s is 0; start its imsg-agent or allow queueing`, {
        account: m.account,
      });
    }
    const rate = await limiter.take(m.account);
    if (!rate.ok) {
      throw new HubError('RATE_LIMITED', `rate limited: ${m.account} is sending too fast, retry after ${rate.retryAfterS} s`, {
        account: m.account,
        retry_after_s: rate.retryAfterS,
      });
    }
    const record = await store.outboxInsert({
      key,
      account: m.account,
      method: m.method,
      target: m.target,
      route: m.route,
      chatId: m.chatId,
      params: m.params,
      file: m.file,
      requestHash: hash,
      client: client.id,
      expiresAt: Date.now() + ttl * 1000,
    });
    log.info({ key, account: m.account, method: m.method, route: m.route }, 'send queued');
    log.debug({ key, target: m.target }, 'send target');
    this.#d.queued(record);
    return record;
  }
}

/** What routing a plain `send` needs. */
export interface SendRouting {
  router: Router;
  store: Store;
  blobs: BlobStore;
}

/** A plain `send` routed (rules → affinity → default) with its file checked, as a mutation. */
export async function routeSend(req: SendRequest, client: TokenRecord, r: SendRouting): Promise<Mutation> {
  const text = req.text ?? '';
  if (text === '' && !req.file) throw new HubError('INVALID_PARAMS', 'text or file is required');
  if (req.target === undefined) throw new HubError('INVALID_PARAMS', 'target is required');
  const route = await r.router.route({ target: req.target, account: req.account, service: req.service, region: req.region, client });
  const file = req.file ? await outboundFile(r.store, r.blobs, client, req.file) : undefined;
  return {
    account: route.account,
    method: 'send',
    target: req.target,
    route: route.route,
    chatId: route.chatId,
    params: { ...route.params, ...(text ? { text } : {}) },
    file,
    ttlS: req.queue_ttl_s,
  };
}
