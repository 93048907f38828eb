import { afterEach, describe, expect, it, vi } from 'vitest';
import { PeriodicTask } from './periodic-task.js';

describe('PeriodicTask', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('runs on every tick and on demand, sharing a run already going', async () => {
    vi.useFakeTimers();
    let runs = 0;
    let release: () => void = () => undefined;
    const task = new PeriodicTask(
      1000,
      () =>
        new Promise<number>((resolve) => {
          runs++;
          release = () => resolve(runs);
        }),
      () => -1,
    );
    const a = task.run();
    const b = task.run();
    expect(runs).toBe(1);
    release();
    expect(await a).toBe(1);
    expect(await b).toBe(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(runs).toBe(2);
    release();
    task.close();
    await vi.advanceTimersByTimeAsync(5000);
    expect(runs).toBe(2);
  });

  it('hands a failure to onError for the result and runs again next time', async () => {
    const errors: string[] = [];
    let fail = true;
    const task = new PeriodicTask(
      60_000,
      async () => {
        if (fail) throw new Error('store away');
        return 7;
      },
      (err) => {
        errors.push(err.message);
        return 0;
      },
    );
    expect(await task.run()).toBe(0);
    fail = false;
    expect(await task.run()).toBe(7);
    expect(errors).toEqual(['store away']);
    task.close();
  });
});
