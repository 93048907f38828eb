import type { HandleSource, OwnHandleRecord } from '@imsg-hub/store';
import { handleIndexKey } from './handle-key.js';

/**
 * Which of our accounts a handle belongs to: configured in the hub config, or learned from the
 * `destination_caller_id` of an account's own rows. Configured owners are never overridden.
 */
export class OwnHandles {
  readonly #owners = new Map<string, { account: string; source: HandleSource }>();
  readonly #pending = new Map<string, OwnHandleRecord>();

  constructor(records: readonly OwnHandleRecord[]) {
    for (const r of records) this.#owners.set(r.handle, { account: r.account, source: r.source });
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

  /** Notes a handle seen on an account's own row; written with the next commit. */
  learn(handle: string, account: string): void {
    const k = handleIndexKey(handle);
    const known = this.#owners.get(k);
    if (known?.account === account || known?.source === 'config') return;
    this.#owners.set(k, { account, source: 'learned' });
    this.#pending.set(k, { handle: k, account, source: 'learned' });
  }

  /** Handles from the hub config; returns the records to store. */
  configure(account: string, handles: readonly string[]): OwnHandleRecord[] {
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
