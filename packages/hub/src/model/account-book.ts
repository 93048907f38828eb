import type { AccountRecord } from '@imsg-hub/store';

/** Each account's epoch and high-water mark, in memory: the hub is the only writer of progress. */
export class AccountBook {
  readonly #byName = new Map<string, AccountRecord>();

  constructor(records: readonly AccountRecord[]) {
    for (const r of records) this.#byName.set(r.name, { ...r });
  }

  get(name: string): AccountRecord | undefined {
    return this.#byName.get(name);
  }

  /** Sorted by name. */
  all(): AccountRecord[] {
    return [...this.#byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  names(): string[] {
    return this.all().map((a) => a.name);
  }

  put(record: AccountRecord): AccountRecord {
    const copy = { ...record };
    this.#byName.set(record.name, copy);
    return copy;
  }
}
