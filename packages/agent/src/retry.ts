import { backOff } from 'exponential-backoff';

/** Exponential backoff bounds (config: `restart_backoff`, `hub.reconnect`). */
export interface BackoffSettings {
  initial_ms: number;
  max_ms: number;
}

export interface RetryOptions {
  /** Wait before the first attempt too (a restart after an exit). */
  delayFirst?: boolean;
  /** Told about every failed attempt before the wait that follows it. */
  onFailure?: (error: unknown, attempt: number) => void;
  /** Checked before each attempt; once true, retrying stops with the last error. */
  stopped: () => boolean;
}

/** Thrown by `retryForever` when it gives up because the owner stopped. */
export class RetryStopped extends Error {
  constructor() {
    super('stopped');
    this.name = 'RetryStopped';
  }
}

/**
 * Runs `attempt` until it succeeds, with exponential backoff and full jitter between failures
 * (the exponential-backoff library), for as long as the owner is not stopped.
 */
export function retryForever<T>(attempt: () => Promise<T>, settings: BackoffSettings, options: RetryOptions): Promise<T> {
  return backOff(
    async () => {
      if (options.stopped()) throw new RetryStopped();
      return attempt();
    },
    {
      startingDelay: settings.initial_ms,
      maxDelay: settings.max_ms,
      timeMultiple: 2,
      jitter: 'full',
      delayFirstAttempt: options.delayFirst ?? false,
      numOfAttempts: Number.MAX_SAFE_INTEGER,
      retry: (error: unknown, n: number) => {
        if (error instanceof RetryStopped || options.stopped()) return false;
        options.onFailure?.(error, n);
        return true;
      },
    },
  );
}
