/**
 * imsg 0.15's SubscriptionStore (reference/imsg-protocol-v1.md §2.5): at most `limit` pending plus
 * active subscriptions across watch.subscribe and bridge.events.subscribe, ids from 1 never reused,
 * a rejected subscribe consumes no id, and after close nothing new is admitted.
 */
export class SubscriptionStore {
  readonly #limit: number;
  readonly #entries = new Map<number, { cancel?: (() => Promise<void> | void) | undefined }>();
  #nextId = 1;
  #accepting = true;

  constructor(limit = 64) {
    this.#limit = limit;
  }

  get count(): number {
    return this.#entries.size;
  }

  get accepting(): boolean {
    return this.#accepting;
  }

  /** Reserves an id, or says why not. */
  reserve(): { ok: true; id: number } | { ok: false; reason: 'closed' | 'limit' } {
    if (!this.#accepting) return { ok: false, reason: 'closed' };
    if (this.#entries.size >= this.#limit) return { ok: false, reason: 'limit' };
    const id = this.#nextId++;
    this.#entries.set(id, {});
    return { ok: true, id };
  }

  /** Makes a reserved subscription active with the function that stops it. */
  activate(id: number, cancel: () => Promise<void> | void): 'activated' | 'closed' | 'removed' {
    if (!this.#accepting) {
      this.#entries.delete(id);
      return 'closed';
    }
    const entry = this.#entries.get(id);
    if (!entry) return 'removed';
    entry.cancel = cancel;
    return 'activated';
  }

  /** The subscription ended on its own (overflow, stream error): its slot is free. */
  complete(id: number): void {
    this.#entries.delete(id);
  }

  /** Unsubscribe: removes the subscription and awaits its end; unknown ids are fine. */
  async cancel(id: number): Promise<void> {
    const entry = this.#entries.get(id);
    this.#entries.delete(id);
    await entry?.cancel?.();
  }

  /** EOF: admission stops, every subscription is cancelled (silently) and awaited. */
  async cancelAll(): Promise<void> {
    this.#accepting = false;
    const entries = [...this.#entries.values()];
    this.#entries.clear();
    await Promise.all(entries.map((e) => e.cancel?.()));
  }
}
