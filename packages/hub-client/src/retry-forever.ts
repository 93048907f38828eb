import { Backoff, backoffSleep, type BackoffSettings } from './backoff.js';

export interface RetryOptions {
  /** Wait before the first attempt too (a restart after an exit, a redial after a drop). */
  delayFirst?: boolean;
  /** Told about every failed attempt that will be retried, before the wait that follows it. */
  onFailure?: (error: unknown, attempt: number) => void;
  /** Checked before each attempt and after each failure; once true, retrying stops. */
  stopped: () => boolean;
  /** A failure that retrying cannot fix (a refused token): stop and reject with it. */
  giveUp?: (error: unknown) => boolean;
  /** Cuts a wait short (the owner is closing); the next check of `stopped` decides. */
  signal?: AbortSignal;
}

/** Thrown by `retryForever` when its owner stopped before an attempt. */
export class RetryStopped extends Error {
  constructor() {
    super('stopped');
    this.name = 'RetryStopped';
  }
}

/**
 * Runs `attempt` until it succeeds, waiting by `Backoff` (exponential, full jitter) between
 * failures, for as long as the owner is not stopped. Rejects with the failure that made it stop
 * (stopped or given up after it), or with RetryStopped when stopped before an attempt.
 */
export async function retryForever<T>(attempt: () => Promise<T>, settings: BackoffSettings, options: RetryOptions): Promise<T> {
  const backoff = new Backoff(settings);
  const stopped = () => options.stopped() || options.signal?.aborted === true;
  if (options.delayFirst) await backoffSleep(backoff.next(), options.signal);
  for (let n = 1; ; n++) {
    if (stopped()) throw new RetryStopped();
    try {
      return await attempt();
    } catch (err) {
      if (stopped() || options.giveUp?.(err)) throw err;
      options.onFailure?.(err, n);
    }
    await backoffSleep(backoff.next(), options.signal);
  }
}
