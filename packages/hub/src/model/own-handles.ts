import type { HandleSource, OwnHandleRecord } from '@imsg-hub/store';
import { handleIndexKey } from './handle-key.js';

/**
 * Which of our accounts a handle belongs to: configured in the hub config, or learned from the
 * `destination_caller_id` of an account's own rows. An agent is not trusted to name its handles: an
 * account with configured handles owns exactly those, and a learned handle never takes one another
 * account owns (first seen wins), so no agent can make another account's contacts look like "us".
 */
export class OwnHandles {
  readonly #owners = new Map<string, { account: string; source: HandleSource }>();
  readonly #pending = new Map<string, OwnHandleRecord>();
  /** Accounts whose handles the config lists: nothing is learned for them. */
  readonly #configured = new Set<string>();

  constructor(records: readonly OwnHandleRecord[]) {
    for (const r of records) {
      this.#owners.set(r.handle, { account: r.account, source: r.source });
      if (r.source === 'config') this.#configured.add(r.account);
    }
  }

  owner(handle: string): string | undefined {
    return this.#owners.get(handleIndexKey(handle))?.account;
  }

  /** Accounts (other than `except`) owning any of these handles. */
  owners(handles: readonly string[], except?: string): string[] {
    const out = new Set<string>();
    for (const h of handles) {
      const a = this.owner(h);
      if (a && a !== except) out.add(a);
    }
    return [...out];
  }

  /** Notes a handle seen on an account's own row; written with the next commit. False when refused. */
  learn(handle: string, account: string): boolean {
    const k = handleIndexKey(handle);
    const known = this.#owners.get(k);
    if (known?.account === account) return true;
    if (known || this.#configured.has(account)) return false;
    this.#owners.set(k, { account, source: 'learned' });
    this.#pending.set(k, { handle: k, account, source: 'learned' });
    return true;
  }

  /** Handles from the hub config; returns the records to store. */
  configure(account: string, handles: readonly string[]): OwnHandleRecord[] {
    if (handles.length) this.#configured.add(account);
    return handles.map((h) => {
      const k = handleIndexKey(h);
      this.#owners.set(k, { account, source: 'config' });
      return { handle: k, account, source: 'config' };
    });
  }

  takeDirty(): OwnHandleRecord[] {
    const out = [...this.#pending.values()];
    this.#pending.clear();
    return out;
  }

  all(): OwnHandleRecord[] {
    return [...this.#owners].map(([handle, o]) => ({ handle, ...o }));
  }
}
