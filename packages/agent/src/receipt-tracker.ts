import type { Peer } from '@imsg-hub/jsonrpc';
import type { ImsgClient } from '@imsg-hub/imsg-protocol';
import type { Logger } from 'pino';
import { lookupSent } from './sent-lookup.js';
import type { SendLedger } from './send-ledger.js';

export interface ReceiptTrackerOptions {
  account: string;
  ledger: SendLedger;
  /** A live imsg that offers `message.send_status`, or undefined (then nothing is polled). */
  imsg: () => ImsgClient | undefined;
  /** The hub link, or undefined while it is down (receipts wait). */
  peer: () => Peer | undefined;
  /** How long after a send its receipts are looked for. 0 turns receipts off. */
  windowMs: number;
  /** Bounds on the per-message poll interval (it grows from the first to the second). */
  pollMs?: { first: number; max: number };
  /** Lookups per tick (every 250 ms), at most: imsg answers each with a scan of chat.db. */
  perTick?: number;
  timeoutMs: number;
  log: Logger;
}

interface Tracked {
  guid: string;
  sentAt: number;
  reported: 'sent' | 'delivered';
  nextAt: number;
  interval: number;
}

const TICK_MS = 250;

/**
 * Receipts of the account's recent sends (issue 12: sent → delivered → read): each message sent
 * with a guid in the last `windowMs` is looked up with imsg's `message.send_status`, half as often
 * each time (1 s, 2 s, … up to a minute), and never more than 4 lookups a second in all (imsg
 * answers each with a scan of chat.db: ~15 ms at 100,000 rows); each step the recipient's device reports reaches
 * the hub once as `send.receipt` (delivered before read; the ledger remembers what was reported, so
 * a restart resumes). imsg never re-emits a row whose receipts change, so polling is the way.
 */
export class ReceiptTracker {
  readonly #o: ReceiptTrackerOptions;
  readonly #tracked = new Map<string, Tracked>();
  #timer: NodeJS.Timeout | undefined;
  #busy = false;

  constructor(options: ReceiptTrackerOptions) {
    this.#o = options;
  }

  /** Resumes tracking what the ledger says was sent recently and not read yet. */
  start(): void {
    if (this.#o.windowMs <= 0 || this.#timer) return;
    for (const r of this.#o.ledger.awaitingReceipts(this.#o.account, Date.now() - this.#o.windowMs)) {
      this.#add(r.key, r.guid, r.sentAt, r.receipt ?? 'sent');
    }
    this.#timer = setInterval(() => void this.#tick(), TICK_MS);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** A message just went out under `key` with `guid`. */
  sent(key: string, guid: string): void {
    if (this.#o.windowMs > 0) this.#add(key, guid, Date.now(), 'sent');
  }

  /** Keys being watched for receipts (tests). */
  get tracking(): number {
    return this.#tracked.size;
  }

  #add(key: string, guid: string, sentAt: number, reported: Tracked['reported']): void {
    const first = this.#o.pollMs?.first ?? 1000;
    this.#tracked.set(key, { guid, sentAt, reported, nextAt: Date.now() + first, interval: first });
  }

  async #tick(): Promise<void> {
    if (this.#busy || this.#tracked.size === 0) return;
    const client = this.#o.imsg();
    const peer = this.#o.peer();
    if (!client || !peer) return;
    this.#busy = true;
    try {
      const now = Date.now();
      const due = [...this.#tracked]
        .filter(([, t]) => t.nextAt <= now)
        .sort((a, b) => a[1].nextAt - b[1].nextAt)
        .slice(0, this.#o.perTick ?? 1);
      for (const [key, t] of due) {
        if (now - t.sentAt > this.#o.windowMs) {
          this.#tracked.delete(key);
          continue;
        }
        await this.#check(client, peer, key, t);
      }
    } finally {
      this.#busy = false;
    }
  }

  async #check(client: ImsgClient, peer: Peer, key: string, t: Tracked): Promise<void> {
    t.interval = Math.min(this.#o.pollMs?.max ?? 60_000, t.interval * 2);
    t.nextAt = Date.now() + t.interval;
    const status = await lookupSent(client, t.guid, this.#o.timeoutMs).catch(() => undefined);
    if (!status) return;
    if (status.send_state === 'failed') {
      this.#o.log.warn({ key }, 'Messages marked a sent message as not delivered; no receipts will follow');
      this.#tracked.delete(key);
      return;
    }
    const readAt = status.status_fields?.date_read ?? undefined;
    const delivered = status.send_state === 'delivered' || status.delivered_at !== undefined || readAt !== undefined;
    if (delivered && t.reported === 'sent') {
      if (!(await this.#report(peer, key, 'delivered', status.delivered_at))) return;
      t.reported = 'delivered';
    }
    if (readAt) {
      if (!(await this.#report(peer, key, 'read', readAt))) return;
      this.#tracked.delete(key);
    }
  }

  async #report(peer: Peer, key: string, status: 'delivered' | 'read', at: string | undefined): Promise<boolean> {
    try {
      await peer.notify('send.receipt', { account: this.#o.account, key, status, ...(at ? { at } : {}) });
    } catch {
      return false; // the link went down: tried again on a later tick
    }
    this.#o.ledger.recordReceipt(key, status);
    this.#o.log.debug({ key, status }, 'receipt reported');
    return true;
  }
}
