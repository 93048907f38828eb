import type { Logger } from 'pino';

export interface LogLimiterOptions {
  /** Lines of one kind written per window; the rest are counted. */
  perWindow?: number;
  windowMs?: number;
}

interface Kind {
  written: number;
  suppressed: number;
  windowStart: number;
  level: 'info' | 'warn';
}

/**
 * Log lines a stranger can cause (bad frames, refused connections) go through here: a few of each
 * kind per window, then one summary line with the count, so a flood of garbage never becomes a
 * flood of log.
 */
export class LogLimiter {
  readonly #log: Logger;
  readonly #perWindow: number;
  readonly #windowMs: number;
  readonly #kinds = new Map<string, Kind>();
  readonly #timer: NodeJS.Timeout;

  constructor(log: Logger, options: LogLimiterOptions = {}) {
    this.#log = log;
    this.#perWindow = options.perWindow ?? 5;
    this.#windowMs = options.windowMs ?? 10_000;
    this.#timer = setInterval(() => this.#sweep(Date.now()), this.#windowMs);
    this.#timer.unref();
  }

  warn(kind: string, log: Logger, obj: Record<string, unknown>, msg: string): void {
    this.#write('warn', kind, log, obj, msg);
  }

  info(kind: string, log: Logger, obj: Record<string, unknown>, msg: string): void {
    this.#write('info', kind, log, obj, msg);
  }

  close(): void {
    clearInterval(this.#timer);
    this.#sweep(Number.POSITIVE_INFINITY);
  }

  #write(level: 'info' | 'warn', kind: string, log: Logger, obj: Record<string, unknown>, msg: string): void {
    if (!log.isLevelEnabled(level)) return;
    const now = Date.now();
    let k = this.#kinds.get(kind);
    if (k && now - k.windowStart >= this.#windowMs) {
      this.#summarise(kind, k);
      k = undefined;
    }
    if (!k) {
      k = { written: 0, suppressed: 0, windowStart: now, level };
      this.#kinds.set(kind, k);
    }
    if (k.written < this.#perWindow) {
      k.written++;
      log[level](obj, msg);
    } else {
      k.suppressed++;
    }
  }

  #sweep(now: number): void {
    for (const [kind, k] of this.#kinds) {
      if (now - k.windowStart < this.#windowMs) continue;
      this.#summarise(kind, k);
      this.#kinds.delete(kind);
    }
  }

  #summarise(kind: string, k: Kind): void {
    if (k.suppressed === 0) return;
    this.#log[k.level]({ kind, suppressed: k.suppressed, window_ms: this.#windowMs }, 'more lines like this were not written');
  }
}
