/** Exponential backoff bounds (agent config: `restart_backoff`, `hub.reconnect`). */
export interface BackoffSettings {
  initial_ms: number;
  max_ms: number;
}

/**
 * The one backoff schedule of the project: exponential with full jitter. The n-th wait (from 0) is
 * a random time in [0, min(max, initial · 2ⁿ)], so clients cut off together do not redial together.
 */
export class Backoff {
  readonly #settings: BackoffSettings;
  readonly #random: () => number;
  #step = 0;

  constructor(settings: BackoffSettings, random: () => number = Math.random) {
    if (!(settings.initial_ms >= 0) || !(settings.max_ms >= settings.initial_ms)) {
      throw new RangeError(`backoff needs 0 <= initial_ms <= max_ms, got ${settings.initial_ms} and ${settings.max_ms}`);
    }
    this.#settings = settings;
    this.#random = random;
  }

  /** The upper bound of the next wait. */
  get ceilingMs(): number {
    return Math.min(this.#settings.max_ms, this.#settings.initial_ms * 2 ** this.#step);
  }

  /** The next wait in ms; each call doubles the bound up to `max_ms`. */
  next(): number {
    const ceiling = this.ceilingMs;
    if (ceiling < this.#settings.max_ms) this.#step += 1;
    return Math.round(this.#random() * ceiling);
  }

  /** Back to the first wait (after a success). */
  reset(): void {
    this.#step = 0;
  }
}

/** Waits `ms`, or less when `signal` aborts; never rejects. */
export function backoffSleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
