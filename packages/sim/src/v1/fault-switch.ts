import { readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * TEST-ONLY faults (docs/simulator.md "Faults"): a JSON control file named by `--faults <path>` or
 * env IMSG_SIM_FAULTS, re-read whenever it changes, so a test can break a running simulator the
 * way real Macs break. Absent or empty file: no faults. Never set this outside tests.
 */
export const SimFaultsSchema = z.strictObject({
  /** The next send-like mutation ends with this disposition; the key is removed once used. */
  next_send: z.enum(['not_started', 'may_have_completed', 'still_in_flight']).optional(),
  /** Every database open fails as if Full Disk Access were revoked (-32002). */
  database: z.literal('unavailable').optional(),
  /** Watch subscriptions stop emitting while rows keep arriving (a stalled listener); new ones stall too. */
  watch: z.literal('silent').optional(),
  /** Reads wait this long before answering, so out-of-order answers can be observed. */
  slow_reads: z.strictObject({ ms: z.number().int().min(0).max(60_000), methods: z.array(z.string()).optional() }).optional(),
});
export type SimFaults = z.infer<typeof SimFaultsSchema>;
export type SendFault = NonNullable<SimFaults['next_send']>;

export class FaultSwitch {
  readonly file: string | undefined;
  readonly #onInvalid: (why: string) => void;
  #stamp = '';
  #faults: SimFaults = {};

  constructor(file: string | undefined, onInvalid: (why: string) => void = () => undefined) {
    this.file = file || undefined;
    this.#onInvalid = onInvalid;
  }

  /** The faults in force now. */
  current(): SimFaults {
    if (!this.file) return {};
    let stamp: string;
    try {
      const s = statSync(this.file);
      stamp = `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      this.#stamp = '';
      this.#faults = {};
      return this.#faults;
    }
    if (stamp === this.#stamp) return this.#faults;
    this.#stamp = stamp;
    this.#faults = this.#read();
    return this.#faults;
  }

  /** Consumes `next_send`: returns it and rewrites the file without it. */
  takeSendFault(): SendFault | undefined {
    const faults = this.current();
    const fault = faults.next_send;
    if (fault === undefined || !this.file) return undefined;
    const { next_send: _used, ...rest } = faults;
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(rest) + '\n');
    renameSync(tmp, this.file);
    this.#faults = rest;
    this.#stamp = '';
    return fault;
  }

  #read(): SimFaults {
    let text: string;
    try {
      text = readFileSync(this.file!, 'utf8');
    } catch {
      return {};
    }
    if (text.trim() === '') return {};
    try {
      const parsed = SimFaultsSchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      this.#onInvalid(`fault file ${this.file}: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
    } catch (err) {
      this.#onInvalid(`fault file ${this.file}: ${(err as Error).message}`);
    }
    return {};
  }
}
