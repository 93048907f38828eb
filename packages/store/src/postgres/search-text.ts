/**
 * Word search on PostgreSQL with the SQLite store's rules (FTS5, unicode61, remove_diacritics 2):
 * words are runs of letters and digits, compared without case or diacritics; a query's words must
 * all match, the last one also as a prefix; quotes and operators in a query are plain text. The
 * adapter tokenises here, on both sides, and stores the tokens as a tsvector (no parser, no
 * dictionary, no extension), so the server's text-search configuration plays no part.
 */
export function searchTokens(text: string): string[] {
  const folded = text
    .normalize('NFKD')
    .replace(/\p{Mn}+/gu, '')
    .toLowerCase();
  return folded.match(/[\p{L}\p{N}\p{M}]+/gu) ?? [];
}

/** A tsvector literal of the text's distinct tokens, or null for a text without any. */
export function searchVector(text: string | undefined): string | null {
  if (!text) return null;
  const tokens = [...new Set(searchTokens(text))];
  return tokens.length ? tokens.map(quote).join(' ') : null;
}

/** A tsquery literal: every word's tokens AND-ed, the last token a prefix; undefined when nothing can match. */
export function searchQuery(words: readonly string[]): string | undefined {
  const perWord = words.map(searchTokens);
  if (perWord.length === 0 || perWord.some((t) => t.length === 0)) return undefined;
  const tokens = perWord.flat();
  return tokens.map((t, i) => `${quote(t)}${i === tokens.length - 1 ? ':*' : ''}`).join(' & ');
}

// Tokens are letters, digits and marks only: no quote or backslash to escape.
const quote = (token: string): string => `'${token}'`;
