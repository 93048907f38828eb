import { describe, expect, it } from 'vitest';
import { fitAnswer } from './answer-budget.js';

describe('fitAnswer', () => {
  const items = Array.from({ length: 100 }, (_, i) => ({ id: i, text: 'x'.repeat(1000) }));

  it('keeps everything that fits, and says nothing was left out', () => {
    expect(fitAnswer(items, 1_000_000)).toEqual({ items, truncated: false });
  });

  it('stops before the item that would pass the budget, counting bytes, not characters', () => {
    const { items: kept, truncated } = fitAnswer(items, 10_500);
    expect(truncated).toBe(true);
    expect(kept.map((m) => m.id)).toEqual([...Array(10).keys()]);
    expect(Buffer.byteLength(JSON.stringify(kept))).toBeLessThanOrEqual(10_500);
    const wide = Array.from({ length: 10 }, () => ({ text: '€'.repeat(1000) })); // 3 bytes each
    expect(fitAnswer(wide, 10_000).items).toHaveLength(3);
  });

  it('always keeps the first item, so paging never stalls', () => {
    expect(fitAnswer(items, 10)).toEqual({ items: [items[0]], truncated: true });
    expect(fitAnswer([], 10)).toEqual({ items: [], truncated: false });
  });
});
