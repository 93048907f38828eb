/** Seconds from the Unix epoch to 2001-01-01T00:00:00Z, Apple's reference date. */
export const APPLE_EPOCH_OFFSET_S = 978_307_200;

/** chat.db `date` (nanoseconds since 2001) → imsg's ISO form with exactly 3 fractional digits. */
export function appleNanosToIso(nanos: number | bigint | null | undefined): string {
  if (nanos === null || nanos === undefined) return '2001-01-01T00:00:00.000Z';
  // Current dates (~8e17 ns) exceed 2^53: a double holds them only to ±64 ns, so round to whole
  // microseconds before flooring to ms, and divide bigints exactly, or 1 ms in 4 comes out wrong.
  let ms: number;
  if (typeof nanos === 'bigint') {
    const q = nanos / 1_000_000n;
    ms = Number(nanos % 1_000_000n < 0n ? q - 1n : q);
  } else {
    ms = Math.floor(Math.round(nanos / 1e3) / 1e3);
  }
  return new Date(ms + APPLE_EPOCH_OFFSET_S * 1000).toISOString();
}

/** Unix milliseconds → chat.db nanoseconds since 2001. */
export function unixMsToAppleNanos(ms: number): number {
  return (ms - APPLE_EPOCH_OFFSET_S * 1000) * 1e6;
}

/** An ISO-8601 date with a zone designator, as imsg accepts; undefined when unparsable. */
export function parseIsoDate(value: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}
