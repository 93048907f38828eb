import { HubError, parseTarget, TargetError, type HubChat, type Target } from '@imsg-hub/hub-protocol';
import type { SendParams } from '@imsg-hub/imsg-protocol';
import type { TokenRecord } from '@imsg-hub/store';
import type { RouteRule } from './config.js';
import type { MessageModel } from './model/message-model.js';
import { tokenScope } from './token-auth.js';

/** Where a send goes and why. */
export interface Route {
  account: string;
  /** explicit | chat | rule | affinity | default */
  route: string;
  chatId: number | undefined;
  /** imsg `send` params naming the target (text/file are added by the outbox). */
  params: SendParams;
  target: Target;
}

/** Asks accounts' imsg whether they reach a handle by iMessage (`handles.check`). */
export type ReachCheck = (accounts: readonly string[], handle: string) => Promise<{ account: string; available?: boolean }[]>;

/** How long a `handles.check` answer is reused for routing. */
const REACH_TTL_MS = 10 * 60_000;

export interface RouteRequest {
  target: string;
  account?: string | undefined;
  service?: 'auto' | 'imessage' | 'sms' | undefined;
  region?: string | undefined;
  client: TokenRecord;
}

/** Glob over a handle: `*` matches any run of characters, everything else literally, case-insensitive. */
function globMatch(glob: string, value: string): boolean {
  const re = new RegExp(
    '^' +
      glob
        .split('*')
        .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*') +
      '$',
    'i',
  );
  return re.test(value);
}

/** imsg params that address a known chat: a handle for DMs (OpenClaw PR #372), the guid for groups. */
function paramsForChat(chat: HubChat, service: RouteRequest['service']): SendParams {
  if (!chat.is_group && chat.identifier) {
    const chatService = chat.service.toLowerCase() === 'sms' ? 'sms' : 'imessage';
    return { to: chat.identifier, service: service && service !== 'auto' ? service : chatService };
  }
  // One chat selector: imsg 0.15 refuses two (-32602).
  return chat.guid ? { chat_guid: chat.guid } : { chat_identifier: chat.identifier };
}

/**
 * Picks the sending identity (design.md "Routing"): explicit account → hub chat id → route rules →
 * affinity → default → NO_ROUTE naming the candidates. Never outside the client token's scope.
 */
export class Router {
  readonly #model: MessageModel;
  readonly #rules: readonly RouteRule[];
  readonly #defaultAccount: string | undefined;
  readonly #reach: ReachCheck | undefined;
  /** `account\0handle` → whether it reaches the handle by iMessage, and until when that holds. */
  readonly #reachable = new Map<string, { available: boolean; until: number }>();

  constructor(model: MessageModel, rules: readonly RouteRule[], defaultAccount: string | undefined, reach?: ReachCheck) {
    this.#model = model;
    this.#rules = rules;
    this.#defaultAccount = defaultAccount;
    this.#reach = reach;
  }

  /**
   * `resolve`, plus opt-in `prefer: "imessage"` rules (they need imsg's answer, so only sends take
   * this path): for a bare handle and no named account, the first matching rule decides; a
   * `prefer` rule picks the first of its accounts that can reach the handle by iMessage, or lets
   * the later rules and the rest of the precedence decide when none can.
   */
  async route(req: RouteRequest): Promise<Route> {
    const prefer = this.#rules.some((r) => 'prefer' in r);
    if (!prefer || !this.#reach || req.account) return this.resolve(req);
    let target: Target;
    try {
      target = parseTarget(req.target, req.region ?? 'US');
    } catch {
      return this.resolve(req); // it explains the target error
    }
    if (target.kind !== 'handle' || target.account) return this.resolve(req);
    const scope = tokenScope(req.client);
    const candidates = this.#model.accounts.names().filter((a) => !scope || scope.includes(a));
    for (const rule of this.#rules) {
      if (!this.#matches(rule.match, target.handle, [], req.client)) continue;
      if ('account' in rule) {
        if (candidates.includes(rule.account)) break;
        continue;
      }
      const order = (rule.accounts ?? candidates).filter((a) => candidates.includes(a));
      const account = await this.#firstReaching(order, target.handle);
      if (account) return { ...this.resolve({ ...req, account }), route: 'reachable' };
    }
    return this.resolve(req);
  }

  async #firstReaching(accounts: readonly string[], handle: string): Promise<string | undefined> {
    const now = Date.now();
    const key = (a: string) => `${a}\u0000${handle}`;
    const unknown = accounts.filter((a) => (this.#reachable.get(key(a))?.until ?? 0) < now);
    if (unknown.length) {
      for (const r of await this.#reach!(unknown, handle)) {
        if (typeof r.available === 'boolean') this.#reachable.set(key(r.account), { available: r.available, until: now + REACH_TTL_MS });
      }
    }
    return accounts.find((a) => this.#reachable.get(key(a))?.available === true);
  }

  #matches(m: RouteRule['match'], handle: string | undefined, chats: readonly HubChat[], client: TokenRecord): boolean {
    if (m.handle !== undefined && !(handle && globMatch(m.handle, handle))) return false;
    if (m.chat !== undefined && !chats.some((c) => c.id === m.chat)) return false;
    if (m.client !== undefined && m.client !== client.id && m.client !== client.label) return false;
    return true;
  }

  resolve(req: RouteRequest): Route {
    let target: Target;
    try {
      target = parseTarget(req.target, req.region ?? 'US');
    } catch (err) {
      if (err instanceof TargetError) throw new HubError('BAD_TARGET', err.message, { target: req.target });
      throw err;
    }
    const scope = tokenScope(req.client);
    const known = this.#model.accounts.names();
    const candidates = known.filter((a) => !scope || scope.includes(a));
    const explicit = req.account ?? target.account;
    if (req.account && target.account && req.account !== target.account) {
      throw new HubError('BAD_TARGET', `target names account ${target.account} but the request says ${req.account}; use one`);
    }
    if (explicit) {
      // Outside a scoped token's accounts, an unknown and an existing account are refused alike, and
      // only the token's own accounts are named.
      if (scope && !scope.includes(explicit)) {
        throw new HubError('TOKEN_SCOPE', `this client token may not send as ${explicit}; it may send as: ${candidates.join(', ')}`);
      }
      if (!known.includes(explicit)) {
        throw new HubError('NO_ROUTE', `unknown account "${explicit}"; known accounts: ${candidates.join(', ') || 'none'}`, { candidates });
      }
    }

    const pick = (account: string, route: string, chat?: HubChat): Route => ({
      account,
      route,
      chatId: chat?.id,
      params: chat ? paramsForChat(chat, req.service) : this.#handleParams(target, req.service),
      target,
    });

    // Chat targets: the chat's owner (or, for a conversation, the copy of an account in view).
    const chats = this.#chatsFor(target).filter((c) => candidates.includes(c.account));
    if (target.kind !== 'handle') {
      if (chats.length === 0) {
        throw new HubError('NO_ROUTE', `no chat matches ${req.target} among the accounts this token sees (${candidates.join(', ')})`, { candidates });
      }
      if (explicit) {
        const own = chats.find((c) => c.account === explicit);
        if (!own)
          throw new HubError('NO_ROUTE', `account ${explicit} is not in chat ${req.target}; it is in: ${chats.map((c) => c.account).join(', ')}`, {
            candidates: chats.map((c) => c.account),
          });
        return pick(explicit, 'explicit', own);
      }
      if (chats.length === 1 || target.kind === 'chat_id') return pick(chats[0]!.account, 'chat', chats[0]);
    } else if (explicit) {
      return pick(explicit, 'explicit');
    }

    // Several accounts could send (a shared group, or a bare handle): rules, affinity, default.
    const allowed = target.kind === 'handle' ? candidates : chats.map((c) => c.account);
    const chatOf = (account: string) => chats.find((c) => c.account === account);
    const handle = target.kind === 'handle' ? target.handle : undefined;
    for (const rule of this.#rules) {
      // `prefer` rules need imsg's answer: only `route` applies them.
      if (!('account' in rule) || !this.#matches(rule.match, handle, chats, req.client)) continue;
      if (allowed.includes(rule.account)) return pick(rule.account, 'rule', chatOf(rule.account));
    }
    const affine = handle ? this.#model.affinity(handle) : undefined;
    if (affine && allowed.includes(affine)) return pick(affine, 'affinity');
    if (this.#defaultAccount && allowed.includes(this.#defaultAccount)) return pick(this.#defaultAccount, 'default', chatOf(this.#defaultAccount));
    if (target.kind !== 'handle' && chats.length > 0) return pick(chats[0]!.account, 'chat', chats[0]);
    throw new HubError(
      'NO_ROUTE',
      `no route for ${req.target}: no rule matches, no account has talked to it, and no default_account is set. ` +
        `Name the account (--as <account> or "<account>/${req.target}"); candidates: ${allowed.join(', ') || 'none'}`,
      { candidates: allowed },
    );
  }

  #chatsFor(t: Target): HubChat[] {
    switch (t.kind) {
      case 'chat_id':
        // A merged conversation id stands for every account's copy of it; the chat itself first.
        return this.#model.conversation(t.chatId);
      case 'chat_guid':
        return this.#model.findChat({ guid: t.guid });
      case 'chat_identifier':
        return this.#model.findChat({ identifier: t.identifier });
      case 'handle':
        return [];
    }
  }

  #handleParams(t: Target, service: RouteRequest['service']): SendParams {
    if (t.kind !== 'handle') throw new TypeError('not a handle target');
    const svc = service && service !== 'auto' ? service : t.service;
    return { to: t.handle, service: svc };
  }
}
