import type { ProbeResult } from './probe.js';

/**
 * Decides from watchdog probes whether chat.db was replaced under the agent (design.md, inbound
 * contract 5: max ROWID below the cursor). The probe only sees the newest message of the most
 * recently active chat, which can sit below the cursor for innocent reasons (a tapback revived an
 * old chat, iCloud backfilled older rows), so a probe row the agent itself delivered and the hub
 * acked — same guid, same rowid — never counts. Two suspicious probes in a row are required.
 * A false alarm costs a replay deduplicated by guid, never a loss; a missed one would lose rows.
 */
export class ReplacementDetector {
  readonly #needed: number;
  #suspicious = 0;

  constructor(confirmations = 2) {
    this.#needed = confirmations;
  }

  /** `seenRowid(guid)`: the rowid this guid had when the hub acked it, if remembered. */
  observe(newest: ProbeResult, acked: number, seenRowid: (guid: string) => number | undefined): boolean {
    const suspicious = newest !== undefined && newest.id < acked && !(newest.guid !== '' && seenRowid(newest.guid) === newest.id);
    this.#suspicious = suspicious ? this.#suspicious + 1 : 0;
    if (this.#suspicious < this.#needed) return false;
    this.#suspicious = 0;
    return true;
  }

  reset(): void {
    this.#suspicious = 0;
  }
}
