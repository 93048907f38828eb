import { describe, expect, it } from 'vitest';
import { searchQuery, searchTokens, searchVector } from './search-text.js';

describe('search text (PostgreSQL)', () => {
  it('splits into letter and digit runs, without case or diacritics', () => {
    expect(searchTokens('Dinner at Café Rouge, 8pm — "ÉCOLE" don’t 東京')).toEqual(['dinner', 'at', 'cafe', 'rouge', '8pm', 'ecole', 'don', 't', '東京']);
    expect(searchVector('a b a')).toBe("'a' 'b'");
    expect(searchVector('?!')).toBeNull();
    expect(searchVector(undefined)).toBeNull();
    // What PostgreSQL cannot hold is left out: a 2 KB word, and words past 1 MB.
    expect(searchVector(`short ${'z'.repeat(3000)} also`)).toBe("'short' 'also'");
    const many = Array.from({ length: 200_000 }, (_, i) => `w${i}`).join(' ');
    expect(Buffer.byteLength(searchVector(many)!)).toBeLessThanOrEqual(1_000_000);
  });

  it('ANDs every word, makes the last a prefix, and treats quotes and operators as text', () => {
    expect(searchQuery(['Café', 'rou'])).toBe("'cafe' & 'rou':*");
    expect(searchQuery(['"at', "8'"])).toBe("'at' & '8':*");
    expect(searchQuery(['OR', '&', 'x'])).toBeUndefined(); // '&' has no word in it: nothing matches
    expect(searchQuery(['a|b'])).toBe("'a' & 'b':*");
    expect(searchQuery([])).toBeUndefined();
  });
});
