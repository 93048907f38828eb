/**
 * A store chore run every `intervalMs` (timer unref'd) and on demand: a run already going is shared
 * by whoever asks, and a failure is handed to `onError` (which gives the run's result) and tried
 * again at the next tick. The blob sweep and the send-event prune run on it.
 */
export class PeriodicTask<T> {
  readonly #task: () => Promise<T>;
  readonly #onError: (err: Error) => T;
  readonly #timer: NodeJS.Timeout;
  #running: Promise<T> | undefined;

  constructor(intervalMs: number, task: () => Promise<T>, onError: (err: Error) => T) {
    this.#task = task;
    this.#onError = onError;
    this.#timer = setInterval(() => void this.run(), intervalMs);
    this.#timer.unref();
  }

  /** Runs the task now, or joins the run already going. */
  run(): Promise<T> {
    this.#running ??= this.#task()
      .catch((err: unknown) => this.#onError(err instanceof Error ? err : new Error(String(err))))
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
