import { describe, expect, it } from 'vitest';
import { RetryStopped, retryForever } from './retry-forever.js';

describe('retryForever', () => {
  it('retries failures with backoff until the attempt succeeds', async () => {
    let calls = 0;
    const failures: number[] = [];
    const result = await retryForever(
      async () => {
        calls++;
        if (calls < 4) throw new Error(`fail ${calls}`);
        return 'ok';
      },
      { initial_ms: 1, max_ms: 5 },
      { stopped: () => false, onFailure: (_e, n) => failures.push(n) },
    );
    expect(result).toBe('ok');
    expect(failures).toEqual([1, 2, 3]);
  });

  it('stops once its owner is stopped', async () => {
    let stopped = false;
    const run = retryForever(
      async () => {
        stopped = true;
        throw new Error('down');
      },
      { initial_ms: 1, max_ms: 1 },
      { stopped: () => stopped },
    );
    await expect(run).rejects.toThrow('down');
    await expect(retryForever(async () => 1, { initial_ms: 1, max_ms: 1 }, { stopped: () => true })).rejects.toBeInstanceOf(RetryStopped);
  });
});
