/** imsg's watch page (MessagesAfterQuery LIMIT 100). */
const IMSG_PAGE = 100;

export interface BacklogPumpOptions {
  /** Newest rowid known to exist (the probe's, or the backlog's end when the watch started). */
  target: () => number;
  /** Highest rowid the watch delivered. */
  delivered: () => number;
  /** When the watch last delivered a row (performance.now()). */
  lastDeliveryAt: () => number;
  /** Rows (notifications) the watch delivered so far. */
  deliveredCount: () => number;
  /** Starts a fresh subscription after `delivered` (its first poll is immediate). */
  resubscribe: () => Promise<void>;
  /** Quiet time after which a watch that is behind is nudged. */
  idleMs?: number;
}

/**
 * Drains a backlog imsg's watch would take hours over. imsg reads 100 rows per trigger (a file
 * event or its 5 s fallback poll, reference/imsg-protocol.md §2.3): 100,000 old rows on a first
 * start would arrive at 100 per 5 s. A new subscription polls at once, so when the watch has gone
 * quiet while rows it has not delivered exist — known from the probe, or implied by a burst that
 * was a whole number of imsg pages — the pump resubscribes after the last delivered row.
 */
export class BacklogPump {
  readonly #o: BacklogPumpOptions;
  #timer: NodeJS.Timeout | undefined;
  #busy = false;
  #nudges = 0;
  #countAtIdle = 0;

  constructor(options: BacklogPumpOptions) {
    this.#o = options;
  }

  get nudges(): number {
    return this.#nudges;
  }

  start(): void {
    const idle = this.#o.idleMs ?? 250;
    this.#timer ??= setInterval(() => void this.#tick(idle), Math.max(50, Math.floor(idle / 2)));
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #tick(idleMs: number): Promise<void> {
    if (this.#busy || this.#timer === undefined) return;
    if (performance.now() - this.#o.lastDeliveryAt() < idleMs) return;
    const count = this.#o.deliveredCount();
    const burst = count - this.#countAtIdle;
    this.#countAtIdle = count;
    const fullPages = burst > 0 && burst % IMSG_PAGE === 0;
    if (this.#o.delivered() >= this.#o.target() && !fullPages) return;
    this.#busy = true;
    try {
      this.#nudges += 1;
      await this.#o.resubscribe();
    } catch {
      // imsg went away; its exit restarts everything
    } finally {
      this.#busy = false;
    }
  }
}
