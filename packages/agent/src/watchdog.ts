import { PeerError } from '@imsg-hub/jsonrpc';
import { performance } from 'node:perf_hooks';
import type { ProbeResult } from './probe.js';

export interface WatchdogOptions {
  intervalMs: number;
  stallMs: number;
  probeTimeoutMs: number;
  probe: (timeoutMs: number) => Promise<ProbeResult>;
  /** Highest rowid the live watch delivered; undefined while no watch runs. */
  delivered: () => number | undefined;
  onProbe: (newest: ProbeResult) => void;
  /** Called once; the owner kills and restarts imsg. */
  onStall: (reason: string) => void;
  /**
   * True while sends are in imsg's hands. imsg answers one request at a time, so a probe queued
   * behind slow sends is late, not stalled — and killing imsg mid-send would put the send in doubt.
   */
  busy?: () => boolean;
}

/**
 * Notices a stalled imsg (reference/clawdbot-imessage.md §7, imsg#307): the probe sees rows the
 * watch has not delivered, with no progress, for longer than `stallMs`; or the probe goes unanswered.
 */
export class Watchdog {
  readonly #o: WatchdogOptions;
  #timer: NodeJS.Timeout | undefined;
  #behindSince: number | undefined;
  #lastDelivered: number | undefined;
  #fired = false;
  #probing = false;

  constructor(options: WatchdogOptions) {
    this.#o = options;
  }

  start(): void {
    this.#timer ??= setInterval(() => void this.#tick(), this.#o.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  async #tick(): Promise<void> {
    if (this.#probing || this.#fired) return;
    this.#probing = true;
    const busy = () => this.#o.busy?.() === true;
    let wasBusy = busy();
    try {
      let newest: ProbeResult;
      try {
        newest = await this.#o.probe(this.#o.probeTimeoutMs);
      } catch (err) {
        wasBusy ||= busy();
        if (err instanceof PeerError && err.failure === 'RPC_TIMEOUT' && !wasBusy) {
          this.#fire(`probe got no answer within ${this.#o.probeTimeoutMs} ms`);
        }
        return; // a closed imsg is handled by its exit; an error answer is not a stall
      }
      if (this.#timer === undefined) return;
      this.#o.onProbe(newest);
      if (wasBusy || busy()) {
        this.#behindSince = undefined; // stalls are judged only while imsg is not sending
        return;
      }
      this.#check(newest?.id);
    } finally {
      this.#probing = false;
    }
  }

  #check(newest: number | undefined): void {
    const delivered = this.#o.delivered();
    if (delivered === undefined || newest === undefined || newest <= delivered) {
      this.#behindSince = undefined;
      this.#lastDelivered = delivered;
      return;
    }
    const now = performance.now();
    // A watch that is still draining a backlog makes progress; only no progress counts.
    if (this.#behindSince === undefined || delivered !== this.#lastDelivered) this.#behindSince = now;
    this.#lastDelivered = delivered;
    const behindMs = now - this.#behindSince;
    if (behindMs >= this.#o.stallMs) {
      this.#fire(`watch stalled: imsg has row ${newest} but the watch delivered only up to ${delivered}, with no progress for ${Math.round(behindMs)} ms`);
    }
  }

  #fire(reason: string): void {
    if (this.#fired || this.#timer === undefined) return;
    this.#fired = true;
    this.stop();
    this.#o.onStall(reason);
  }
}
