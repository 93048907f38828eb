import { pino } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { LogLimiter } from './log-limiter.js';

describe('LogLimiter', () => {
  it('writes a few lines of a kind per window, then one summary with the count', () => {
    vi.useFakeTimers();
    try {
      const lines: Record<string, unknown>[] = [];
      const log = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
      const limiter = new LogLimiter(log, { perWindow: 3, windowMs: 1000 });
      for (let i = 0; i < 10_000; i++) limiter.warn('bad-frame', log, { i }, 'bad frame');
      limiter.warn('other', log, {}, 'another kind is not held back');
      expect(lines.map((l) => l['msg'])).toEqual(['bad frame', 'bad frame', 'bad frame', 'another kind is not held back']);
      vi.advanceTimersByTime(1000);
      expect(lines.at(-1)).toMatchObject({ kind: 'bad-frame', suppressed: 9997, msg: 'more lines like this were not written' });
      limiter.warn('bad-frame', log, {}, 'bad frame');
      expect(lines.at(-1)?.['msg']).toBe('bad frame'); // a new window
      limiter.close();
    } finally {
      vi.useRealTimers();
    }
  });
});
