/** Callers waiting for a send's record to change, by key: woken on each change, or when their time runs out. */
export class SendWaiters {
  readonly #waiters = new Map<string, Set<() => void>>();

  /** Resolves at the next change of `key`, or after `ms`. */
  wait(key: string, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const set = this.#waiters.get(key) ?? new Set();
      const wake = () => {
        clearTimeout(timer);
        set.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      set.add(wake);
      this.#waiters.set(key, set);
    });
  }

  wake(key: string): void {
    const set = this.#waiters.get(key);
    if (!set) return;
    this.#waiters.delete(key);
    for (const wake of set) wake();
  }

  wakeAll(): void {
    for (const key of [...this.#waiters.keys()]) this.wake(key);
  }
}
