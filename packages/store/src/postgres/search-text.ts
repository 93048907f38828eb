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

/** PostgreSQL refuses a lexeme of 2,048 bytes or more, and a tsvector of 1 MB. */
const MAX_TOKEN_BYTES = 2046;
const MAX_VECTOR_BYTES = 1_000_000;

/**
 * A tsvector literal of the text's distinct tokens, or null for a text without any. A token too long
 * for PostgreSQL is left out (no one searches for a 2 KB word), and so are tokens past 1 MB.
 */
export function searchVector(text: string | undefined): string | null {
  if (!text) return null;
  const kept: string[] = [];
  let bytes = 0;
  for (const token of new Set(searchTokens(text))) {
    const size = Buffer.byteLength(token) + 3;
    if (size - 3 > MAX_TOKEN_BYTES) continue;
    if (bytes + size > MAX_VECTOR_BYTES) break;
    bytes += size;
    kept.push(quote(token));
  }
  return kept.length ? kept.join(' ') : null;
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
