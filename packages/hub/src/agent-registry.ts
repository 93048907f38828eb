import { type AccountStateParams, callMethod, HUB_TO_AGENT, type ImsgInfo } from '@imsg-hub/hub-protocol';
import type { z } from 'zod';

/** What the hub needs from a connected agent link. */
export interface AgentLink {
  readonly agentId: string;
  readonly connectedAt: string;
  request(method: string, params: unknown, timeoutMs?: number): Promise<unknown>;
  /** Drops the claim on an account another link took over. */
  release(account: string): void;
}

type AgentCall = keyof typeof HUB_TO_AGENT & string;

/** Calls a hub → agent method on a link, typed by HUB_TO_AGENT; the agent's answer is validated. */
export function callAgent<M extends AgentCall>(
  link: AgentLink,
  method: M,
  params: z.input<(typeof HUB_TO_AGENT)[M]['params']>,
  timeoutMs?: number,
): Promise<z.output<(typeof HUB_TO_AGENT)[M]['result']>> {
  return callMethod(HUB_TO_AGENT, { request: (m, p) => link.request(m, p, timeoutMs) }, method, params);
}

export interface AccountHealthState {
  state: AccountStateParams['state'] | 'unknown';
  /** What the account's imsg can do, as its agent last reported (kept until it reports again). */
  imsg?: ImsgInfo;
  detail?: string;
  newestRowid?: number;
  restarts?: number;
  updatedAt: number;
}

/** Which agent link serves each account right now, and what it last said about imsg. */
export class AgentRegistry {
  readonly #links = new Map<string, AgentLink>();
  readonly #health = new Map<string, AccountHealthState>();
  readonly #listeners = new Set<(account: string, link: AgentLink | undefined) => void>();

  /** The newest link wins an account; the previous one is told to let go. */
  claim(accounts: readonly string[], link: AgentLink): void {
    for (const account of accounts) {
      const previous = this.#links.get(account);
      this.#links.set(account, link);
      if (previous && previous !== link) previous.release(account);
      this.#emit(account, link);
    }
  }

  /** Removes a link from every account it still holds. */
  drop(link: AgentLink): void {
    for (const [account, l] of this.#links) {
      if (l !== link) continue;
      this.#links.delete(account);
      const h = this.#health.get(account);
      if (h) this.#health.set(account, { ...h, state: 'unknown', detail: 'agent disconnected', updatedAt: Date.now() });
      this.#emit(account, undefined);
    }
  }

  link(account: string): AgentLink | undefined {
    return this.#links.get(account);
  }

  connectedAccounts(): string[] {
    return [...this.#links.keys()];
  }

  linkCount(): number {
    return new Set(this.#links.values()).size;
  }

  setState(params: AccountStateParams): void {
    const imsg = params.imsg ?? this.#health.get(params.account)?.imsg;
    this.#health.set(params.account, {
      state: params.state,
      ...(imsg ? { imsg } : {}),
      ...(params.detail !== undefined ? { detail: params.detail } : {}),
      ...(params.newest_rowid !== undefined ? { newestRowid: params.newest_rowid } : {}),
      ...(params.restarts !== undefined ? { restarts: params.restarts } : {}),
      updatedAt: Date.now(),
    });
  }

  health(account: string): AccountHealthState | undefined {
    return this.#health.get(account);
  }

  /** Called whenever an account gains or loses its agent. */
  onChange(listener: (account: string, link: AgentLink | undefined) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(account: string, link: AgentLink | undefined): void {
    for (const l of this.#listeners) l(account, link);
  }
}
