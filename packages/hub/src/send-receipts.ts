import type { Delivery } from '@imsg-hub/hub-protocol';
import type { OutboxRecord, Store } from '@imsg-hub/store';

/** How far a sent message got, in order. */
export const DELIVERY: readonly Delivery[] = ['sent', 'delivered', 'read'];

/** A sent record's `result.delivery` (`sent` until a receipt came). */
export const deliveryOf = (r: OutboxRecord): Delivery => (DELIVERY.includes(r.result?.['delivery'] as Delivery) ? (r.result!['delivery'] as Delivery) : 'sent');

/**
 * Receipts of sent messages (`send.receipt` from agents): each moves the send's `result.delivery`
 * forward only (sent → delivered → read) with its time. One receipt of a key at a time, in arrival
 * order, so each reads what the one before wrote.
 */
export class SendReceipts {
  readonly #store: Store;
  readonly #changed: (record: OutboxRecord) => void;
  /** Per key, the receipt being applied now. */
  readonly #pending = new Map<string, Promise<void>>();

  constructor(store: Store, changed: (record: OutboxRecord) => void) {
    this.#store = store;
    this.#changed = changed;
  }

  apply(account: string, key: string, status: 'delivered' | 'read', at: string | undefined): Promise<void> {
    const next = (this.#pending.get(key) ?? Promise.resolve()).then(() => this.#apply(account, key, status, at));
    const tail = next.catch(() => undefined);
    this.#pending.set(key, tail);
    void tail.then(() => this.#pending.get(key) === tail && this.#pending.delete(key));
    return next;
  }

  async #apply(account: string, key: string, status: 'delivered' | 'read', at: string | undefined): Promise<void> {
    const record = await this.#store.outboxGet(key);
    if (!record || record.account !== account || record.state !== 'sent') return;
    if (DELIVERY.indexOf(deliveryOf(record)) >= DELIVERY.indexOf(status)) return;
    const updated = await this.#store.outboxUpdate(key, { result: { ...record.result, delivery: status, [`${status}_at`]: at ?? new Date().toISOString() } });
    this.#changed(updated);
  }
}
