import { AccountNameSchema } from './ids.js';

/**
 * Parses a token's account list as people type it: `*` alone for every account, or account names
 * separated by commas. Throws a TypeError naming what is wrong (a `*` among names, a bad name).
 */
export function parseAccountList(text: string): string[] | '*' {
  const items = text
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (items.length === 1 && items[0] === '*') return '*';
  if (items.includes('*')) throw new TypeError(`"*" means every account and must stand alone, not among names (got "${text}")`);
  if (items.length === 0) throw new TypeError('needs at least one account name, or "*"');
  for (const name of items) {
    if (!AccountNameSchema.safeParse(name).success) {
      throw new TypeError(`"${name}" is not an account name: use 1-32 chars of a-z, 0-9, _ and -, starting with a letter or digit`);
    }
  }
  return [...new Set(items)];
}
