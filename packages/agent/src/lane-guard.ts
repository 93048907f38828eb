import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ImsgSession } from './imsg-session.js';

export interface LaneGuardOptions {
  /** Restarts this imsg; resolves once a new one runs. */
  restart: (session: ImsgSession, reason: string) => Promise<void>;
  /** The longest wait for calls on a blocked imsg to be answered before it is restarted anyway. */
  settleMs: number;
  log: Logger;
}

/**
 * imsg 0.15's poisoned mutation lane (reference/imsg-protocol-v1.md §2.6): after a mutation ends
 * `still_in_flight`, every later mutation is refused (-32004) until the process restarts. When
 * that happens the guard stops new dispatches, lets the calls already on that imsg be answered and
 * the uncertain send be looked up (reads still work), then restarts imsg, and lets dispatch go on.
 */
export class LaneGuard {
  readonly #o: LaneGuardOptions;
  /** Calls and lookups in progress per imsg. */
  readonly #active = new Map<ImsgSession, number>();
  readonly #restarting = new WeakMap<ImsgSession, Promise<void>>();
  #pending: Promise<void> | undefined;

  constructor(options: LaneGuardOptions) {
    this.#o = options;
  }

  /** Resolves when no restart for a blocked lane is under way. */
  async ready(): Promise<void> {
    while (this.#pending) await this.#pending.catch(() => undefined);
  }

  /** Runs a mutation on `session`, counted as activity. */
  call<T>(session: ImsgSession, fn: () => Promise<T>): Promise<T> {
    return this.#counted(session, fn);
  }

  /** Runs the lookup of an uncertain send on `session`; a restart waits for it. */
  settling<T>(session: ImsgSession, fn: () => Promise<T>): Promise<T> {
    return this.#counted(session, fn);
  }

  /** The lane of `session` is blocked: once per imsg, settle, restart, and resolve when a new one runs. */
  blocked(session: ImsgSession, reason: string): Promise<void> {
    const existing = this.#restarting.get(session);
    if (existing) return existing;
    const restart = (async () => {
      this.#o.log.warn({ reason }, 'imsg mutation lane blocked: holding sends, settling the one in doubt, then restarting imsg');
      await sleep(0);
      const deadline = Date.now() + this.#o.settleMs;
      while ((this.#active.get(session) ?? 0) > 0 && Date.now() < deadline) await sleep(20);
      await this.#o.restart(session, reason);
    })();
    this.#restarting.set(session, restart);
    const done = restart.finally(() => {
      if (this.#pending === done) this.#pending = undefined;
    });
    done.catch(() => undefined);
    this.#pending = done;
    return restart;
  }

  async #counted<T>(session: ImsgSession, fn: () => Promise<T>): Promise<T> {
    this.#active.set(session, (this.#active.get(session) ?? 0) + 1);
    try {
      return await fn();
    } finally {
      const left = (this.#active.get(session) ?? 1) - 1;
      if (left === 0) this.#active.delete(session);
      else this.#active.set(session, left);
    }
  }
}
