/**
 * Makes the store's calls behave as the synchronous SQLite adapter's do, while reads still run side
 * by side on the pool:
 * - a write starts once every earlier call has finished; a read once every earlier write has, so
 *   every call observes the writes called before it;
 * - results are delivered in call order (a fast read waits for a slow earlier one), so callers that
 *   continue from their results (read a send's key, then insert it) act in the order they called.
 * Two sends to one chat, fired without awaiting each other, are stored in the order they came.
 */
export class CallOrder {
  #lastWrite: Promise<unknown> = Promise.resolve();
  #readsSinceWrite: Promise<unknown>[] = [];
  #lastDelivered: Promise<unknown> = Promise.resolve();

  read<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#lastWrite.then(fn);
    this.#readsSinceWrite.push(settled(run));
    if (this.#readsSinceWrite.length > 256) this.#readsSinceWrite = [Promise.all(this.#readsSinceWrite)];
    return this.#deliver(run);
  }

  write<T>(fn: () => Promise<T>): Promise<T> {
    const run = Promise.all([this.#lastWrite, ...this.#readsSinceWrite]).then(fn);
    this.#lastWrite = settled(run);
    this.#readsSinceWrite = [];
    return this.#deliver(run);
  }

  /** Resolves once every call made so far has been answered. */
  idle(): Promise<void> {
    return this.#lastDelivered.then(() => undefined);
  }

  #deliver<T>(run: Promise<T>): Promise<T> {
    const previous = this.#lastDelivered;
    const delivered = run.then(
      (value) => previous.then(() => value),
      (err: unknown) =>
        previous.then(() => {
          throw err;
        }),
    );
    this.#lastDelivered = settled(delivered);
    return delivered;
  }
}

const settled = (p: Promise<unknown>): Promise<unknown> =>
  p.then(
    () => undefined,
    () => undefined,
  );
