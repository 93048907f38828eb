import { expect, it } from 'vitest';
import { parseAccountList } from './account-list.js';

it('parses "*" alone or names, and refuses a star among names, paths and token refs', () => {
  expect(parseAccountList('*')).toBe('*');
  expect(parseAccountList(' alice, bob ,alice')).toEqual(['alice', 'bob']);
  expect(() => parseAccountList('alice,*')).toThrow(/must stand alone/);
  expect(() => parseAccountList('token:abc')).toThrow(/"token:abc" is not an account name/);
  expect(() => parseAccountList('../x')).toThrow(/not an account name/);
  expect(() => parseAccountList(' , ')).toThrow(/at least one/);
});
