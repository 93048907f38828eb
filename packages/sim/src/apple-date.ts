import { APPLE_EPOCH_OFFSET_S } from '@imsg-hub/imsg-protocol';

/** Unix ms → chat.db nanoseconds since 2001, exact (a double cannot hold today's values to 1 ns). */
export function appleNanosFromMs(ms: number): bigint {
  return (BigInt(Math.trunc(ms)) - BigInt(APPLE_EPOCH_OFFSET_S) * 1000n) * 1_000_000n;
}
