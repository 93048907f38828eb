import {
  CLIENT_TO_HUB,
  type ClientImsgCallParamsSchema,
  dispatchMethod,
  HubError,
  storedHandle,
  type MethodHandlers,
  PROTOCOL_VERSION,
  type AccountHealth,
  type ClientHelloParams,
  type ClientHelloResult,
} from '@imsg-hub/hub-protocol';
import { imsgError } from '@imsg-hub/imsg-protocol';
import type { OutboxCounts, TokenRecord } from '@imsg-hub/store';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { blobVisible } from './blob-access.js';
import type { Connection, Session } from './connection.js';
import { uploadHandlers } from './upload-methods.js';
import { checkReachability } from './actions/reachability.js';
import { sendOutcome } from './model/send-outcome.js';
import { callAgent } from './agent-registry.js';
import type { HubContext } from './hub-context.js';
import { fitAnswer } from './answer-budget.js';
import { tokenAllows, tokenScope } from './token-auth.js';
import type { NotificationSink } from './watch-hub.js';

/** A client after hello: reads, watches and sends within its token's accounts. */
export class ClientSession implements Session, NotificationSink {
  readonly #conn: Connection;
  readonly #ctx: HubContext;
  readonly #token: TokenRecord;
  readonly #scope: string[] | undefined;
  #log: Logger;
  readonly #handlers: MethodHandlers<typeof CLIENT_TO_HUB>;

  constructor(conn: Connection, ctx: HubContext, token: TokenRecord, log: Logger) {
    this.#conn = conn;
    this.#ctx = ctx;
    this.#token = token;
    this.#scope = tokenScope(token);
    this.#log = log.child({ role: 'client', tokenId: token.id });
    this.#handlers = this.#makeHandlers();
  }

  start(hello: ClientHelloParams): ClientHelloResult {
    this.#log = this.#log.child({ client: hello.client?.name });
    this.#log.info('client connected');
    return {
      protocol: PROTOCOL_VERSION,
      hub_version: this.#ctx.version,
      session: this.#conn.id,
      accounts: this.#visibleAccounts(),
      seq: this.#ctx.model.maxSeq,
      max_frame_bytes: this.#ctx.config.max_frame_bytes,
      max_file_bytes: this.#ctx.config.send.max_file_bytes,
    };
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.#conn.peer.notify(method, params);
  }

  bufferedBytes(): number {
    return this.#conn.bufferedBytes;
  }

  /** One handler per method of the table: a missing one fails the typecheck. */
  #makeHandlers(): MethodHandlers<typeof CLIENT_TO_HUB> {
    return {
      'accounts.list': async () => {
        const outbox = await this.#ctx.store.outboxCounts(); // one query for every account, not one each
        return { accounts: this.#visibleAccounts().map((name) => this.#health(name, outbox)) };
      },
      'chats.list': (p) => {
        if (p.account) this.#allow(p.account);
        const fit = this.#fit(this.#ctx.model.chats({ scope: this.#scope, account: p.account, merged: p.merged ?? !p.account, limit: p.limit ?? 100 }));
        return { chats: fit.items, ...fit.more };
      },
      'messages.history': async (p) => {
        const { model } = this.#ctx;
        const chat = model.chat(p.chat_id);
        const visible = chat && model.conversation(chat.id).some((c) => tokenAllows(this.#token, c.account));
        if (!visible) throw new HubError('NOT_FOUND', `no chat ${p.chat_id} among the accounts this token sees; list them with chats.list`);
        if (p.account) this.#allow(p.account);
        const messages = await model.history(p.chat_id, {
          limit: p.limit ?? 50,
          ...(p.before !== undefined ? { before: p.before } : {}),
          ...(p.after !== undefined ? { after: p.after } : {}),
          ...(p.account ? { accounts: [p.account] } : this.#scope ? { accounts: this.#scope } : {}),
        });
        const fit = this.#fit(messages);
        return { messages: fit.items, ...fit.more };
      },
      'messages.after': async (p) => {
        for (const a of p.accounts ?? []) this.#allow(a);
        const accounts = p.accounts ?? this.#scope;
        if (p.chat_id !== undefined) this.#visibleChat(p.chat_id);
        const filter = { accounts, chatId: p.chat_id, merged: p.merged ?? true, includeReactions: p.include_reactions ?? false };
        const fit = this.#fit(await this.#ctx.model.after(p.after, filter, p.limit ?? 100));
        return { messages: fit.items, ...fit.more };
      },
      'watch.subscribe': (p) => {
        for (const a of p.accounts ?? []) this.#allow(a);
        const accounts = p.accounts ?? this.#scope;
        return this.#ctx.watch.subscribe(
          this,
          {
            ...(accounts ? { accounts } : {}),
            ...(p.chat_id !== undefined ? { chatId: p.chat_id } : {}),
            merged: p.merged ?? true,
            includeReactions: p.include_reactions ?? true,
          },
          p.since,
          p.batch ?? false,
          p.include_sends ?? false,
          p.include_typing ?? false,
        );
      },
      'watch.unsubscribe': (p) => {
        this.#ctx.watch.unsubscribe(this, p.subscription);
        return {};
      },
      send: (p) => this.#ctx.actions.sends.send(p, this.#token),
      'send.status': (p) => this.#ctx.outbox.status(p.idempotency_key, this.#token, { waitMs: p.wait_ms, waitFor: p.wait_for }),
      'send.resolve': (p) => this.#ctx.outbox.resolve(p.idempotency_key, p.outcome, this.#token, p.wait_ms),
      'sends.recent': async (p) => {
        for (const a of p.accounts ?? []) this.#allow(a);
        const accounts = p.accounts ?? this.#scope;
        const records = await this.#ctx.store.outbox({ ...(accounts ? { accounts } : {}), newestFirst: true, limit: p.limit ?? 20 });
        return { sends: records.map(sendOutcome) };
      },
      'blob.get': async (p) => {
        if (!(await blobVisible(this.#ctx.store, this.#token, p.sha256)))
          throw new HubError('NOT_FOUND', `no blob ${p.sha256} among the messages this token sees`);
        return this.#ctx.blobs.read(p.sha256, p.offset ?? 0, p.length ?? 1024 * 1024);
      },
      'reactions.list': async (p) => {
        for (const a of p.accounts ?? []) this.#allow(a);
        const fit = this.#fit(await this.#ctx.model.reactionsTo(p.guids, p.accounts ?? this.#scope));
        return { reactions: fit.items, ...fit.more };
      },
      'messages.search': async (p) => {
        for (const a of p.accounts ?? []) this.#allow(a);
        const accounts = p.accounts ?? this.#scope;
        if (p.chat_id !== undefined) this.#visibleChat(p.chat_id);
        const { messages, nextBefore } = await this.#ctx.model.search({
          query: p.query,
          accounts,
          chatId: p.chat_id,
          sender: p.sender === undefined ? undefined : storedHandle(p.sender),
          fromMe: p.from_me,
          since: p.since,
          until: p.until,
          before: p.before,
          limit: p.limit ?? 50,
        });
        const fit = this.#fit(messages);
        // Cut short: the next page starts below the last message sent (newest first).
        const next = fit.more.truncated ? fit.items.at(-1)!.id : nextBefore;
        return { messages: fit.items, ...(next !== undefined ? { next_before: next } : {}), ...fit.more };
      },
      'handles.check': (p) => {
        for (const a of p.accounts ?? []) this.#allow(a);
        return checkReachability(this.#ctx.registry, p.accounts ?? this.#visibleAccounts(), p.handle);
      },
      'message.react': (p) => this.#ctx.actions.messages.react(p, this.#token),
      'message.edit': (p) => this.#ctx.actions.messages.edit(p, this.#token),
      'message.unsend': (p) => this.#ctx.actions.messages.unsend(p, this.#token),
      'group.rename': (p) => this.#ctx.actions.chats.rename(p, this.#token),
      'group.add_member': (p) => this.#ctx.actions.chats.member(p, this.#token, true),
      'group.remove_member': (p) => this.#ctx.actions.chats.member(p, this.#token, false),
      'group.leave': (p) => this.#ctx.actions.chats.leave(p, this.#token),
      'group.set_icon': (p) => this.#ctx.actions.chats.setIcon(p, this.#token),
      'poll.send': (p) => this.#ctx.actions.chats.pollSend(p, this.#token),
      'poll.vote': (p) => this.#ctx.actions.messages.vote(p, this.#token),
      'poll.unvote': (p) => this.#ctx.actions.messages.vote(p, this.#token, true),
      'imsg.call': (p) => this.#imsgCall(p),
      ping: () => ({ ts: Date.now() }),
      ...uploadHandlers(this.#ctx, { connection: this.#conn.id, tokenId: this.#token.id }),
    };
  }

  /** A list cut to `limits.max_answer_bytes`, and `{truncated: true}` when it was. */
  #fit<T>(list: readonly T[]): { items: T[]; more: { truncated?: true } } {
    const { items, truncated } = fitAnswer(list, this.#ctx.config.limits.max_answer_bytes);
    return { items, more: truncated ? { truncated: true } : {} };
  }

  handle(method: string, params: unknown): Promise<unknown> {
    return dispatchMethod(CLIENT_TO_HUB, this.#handlers, method, params);
  }

  closed(): void {
    this.#ctx.watch.dropSink(this);
    this.#ctx.blobs.abortOwner(this.#conn.id);
  }

  /** typing/read for the facade: routed like a send, passed to the owning agent's imsg, its error verbatim. */
  async #imsgCall(p: z.output<typeof ClientImsgCallParamsSchema>): Promise<Record<string, unknown>> {
    const target = imsgTargetOf(p.params);
    if (!target) throw imsgError.invalidParams('chat_guid, chat_identifier, or chat_id is required');
    const route = this.#ctx.router.resolve({ target, account: p.account, client: this.#token });
    const link = this.#ctx.registry.link(route.account);
    if (!link) throw new HubError('AGENT_OFFLINE', `the agent for ${route.account} is not connected; ${p.method} needs it online`, { account: route.account });
    const extra = p.method === 'typing' && p.params['typing'] !== undefined ? { typing: p.params['typing'] } : {};
    // Only the chat address: imsg 0.15 refuses keys a method does not take (a send's service, region).
    const address = Object.fromEntries(Object.entries(route.params).filter(([k]) => ['to', 'chat_id', 'chat_identifier', 'chat_guid'].includes(k)));
    return callAgent(link, 'imsg.call', { account: route.account, method: p.method, params: { ...address, ...extra } }, 15_000);
  }

  #visibleAccounts(): string[] {
    const all = this.#ctx.model.accounts.names();
    return this.#scope ? all.filter((a) => this.#scope!.includes(a)).concat(this.#scope.filter((a) => !all.includes(a))) : all;
  }

  /** Refuses a chat outside the token's accounts as if it did not exist. */
  #visibleChat(chatId: number): void {
    const chat = this.#ctx.model.chat(chatId);
    if (!chat || !this.#ctx.model.conversation(chat.id).some((c) => tokenAllows(this.#token, c.account))) {
      throw new HubError('NOT_FOUND', `no chat ${chatId} among the accounts this token sees; list them with chats.list`);
    }
  }

  #allow(account: string): void {
    if (!tokenAllows(this.#token, account)) {
      throw new HubError('TOKEN_SCOPE', `this client token may not see account ${account}; it sees: ${this.#visibleAccounts().join(', ')}`);
    }
  }

  #health(name: string, outboxCounts: Map<string, OutboxCounts>): AccountHealth {
    const { model, registry } = this.#ctx;
    const account = model.accounts.get(name);
    const link = registry.link(name);
    const h = registry.health(name);
    const hwm = account?.hwm ?? 0;
    const outbox = outboxCounts.get(name) ?? { queued: 0, dispatched: 0, in_doubt: 0 };
    return {
      name,
      agent: link ? { connected: true, id: link.agentId, since: link.connectedAt } : { connected: false },
      imsg: {
        state: link ? (h?.state ?? 'unknown') : 'unknown',
        ...(h?.detail ? { detail: h.detail } : {}),
        ...(h?.restarts !== undefined ? { restarts: h.restarts } : {}),
      },
      ...(account?.lastRowAt ? { last_row_at: account.lastRowAt } : {}),
      cursor: { epoch: account?.epoch ?? 1, hwm },
      ...(h?.newestRowid !== undefined ? { lag: Math.max(0, h.newestRowid - hwm) } : {}),
      messages: account?.messageCount ?? 0,
      outbox,
      ...(h?.imsg ? { capabilities: h.imsg } : {}),
    };
  }
}

/** The target of an imsg-style chat addressing (`chat_id` here is a hub chat id). */
function imsgTargetOf(params: Record<string, unknown>): string | undefined {
  const service = typeof params['service'] === 'string' ? `${params['service'].toLowerCase()}:` : '';
  if (params['chat_id'] !== undefined && params['chat_id'] !== null) return `chat_id:${String(params['chat_id'])}`;
  if (typeof params['chat_guid'] === 'string' && params['chat_guid']) return `chat_guid:${params['chat_guid']}`;
  if (typeof params['chat_identifier'] === 'string' && params['chat_identifier']) return `chat_identifier:${params['chat_identifier']}`;
  if (typeof params['to'] === 'string' && params['to']) return `${['imessage:', 'sms:', 'auto:'].includes(service) ? service : ''}${params['to']}`;
  return undefined;
}
