import { describe, expect, it } from 'vitest';
import { boolParam, intParam, stringArrayParam, stringParam } from './coerce.js';

describe('imsg param coercions (§1.7)', () => {
  it('intParam: integers, truncated numbers and numeric strings; else absent', () => {
    expect(intParam({ a: 42 }, 'a')).toBe(42);
    expect(intParam({ a: 4.9 }, 'a')).toBe(4);
    expect(intParam({ a: '42' }, 'a')).toBe(42);
    expect(intParam({ a: ' -7 ' }, 'a')).toBe(-7);
    expect(intParam({ a: 'x' }, 'a')).toBeUndefined();
    expect(intParam({ a: null }, 'a')).toBeUndefined();
    expect(intParam({ a: [1] }, 'a')).toBeUndefined();
  });
  it('stringParam stringifies numbers only', () => {
    expect(stringParam({ a: 5 }, 'a')).toBe('5');
    expect(stringParam({ a: true }, 'a')).toBeUndefined();
  });
  it('boolParam: bools, numbers, exactly "true"/"false"', () => {
    expect(boolParam({ a: 1 }, 'a')).toBe(true);
    expect(boolParam({ a: 0 }, 'a')).toBe(false);
    expect(boolParam({ a: 'true' }, 'a')).toBe(true);
    expect(boolParam({ a: 'TRUE' }, 'a')).toBeUndefined();
  });
  it('stringArrayParam: arrays (numbers stringified, others dropped) or CSV', () => {
    expect(stringArrayParam({ a: 'a, b ,c' }, 'a')).toEqual(['a', 'b', 'c']);
    expect(stringArrayParam({ a: ['x', 3, null, {}] }, 'a')).toEqual(['x', '3']);
    expect(stringArrayParam({ a: ',,' }, 'a')).toEqual([]);
    expect(stringArrayParam({}, 'a')).toEqual([]);
  });
});
