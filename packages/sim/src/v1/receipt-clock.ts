import type { WorldActions } from '../world-actions.js';

/** Default time between a bridge send's states (pending → sent → delivered). */
export const DEFAULT_RECEIPT_MS = 50;

/**
 * Advances an outgoing row the way Apple's servers do: written pending at dispatch, `is_sent` one
 * step later, `is_delivered` + `date_delivered` a step after that when a recipient device (a world
 * account) got it. Read receipts come from the recipient (`read`) or `imsg-sim inject --read-receipt`;
 * delivered receipts for people outside the world from `inject --delivered`.
 */
export class ReceiptClock {
  readonly #actions: WorldActions;
  readonly #stepMs: number;
  readonly #timers = new Set<NodeJS.Timeout>();

  constructor(actions: WorldActions, stepMs = DEFAULT_RECEIPT_MS) {
    this.#actions = actions;
    this.#stepMs = stepMs;
  }

  track(account: string, guid: string, deliveredToWorld: boolean): void {
    this.#after(1, () => this.#actions.receipt(account, guid, 'sent'));
    if (deliveredToWorld) this.#after(2, () => this.#actions.receipt(account, guid, 'delivered'));
  }

  close(): void {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
  }

  #after(steps: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      try {
        fn();
      } catch {
        // the db went away (closed, replaced): the receipt is lost, as on a Mac that lost the row
      }
    }, this.#stepMs * steps);
    timer.unref();
    this.#timers.add(timer);
  }
}
