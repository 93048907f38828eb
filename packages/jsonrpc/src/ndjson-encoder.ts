const LINE_SEPARATORS = /[\u2028\u2029]/g;

/**
 * Serialises one value as a JSON line. U+2028/U+2029 are escaped because JSON.stringify leaves
 * them raw and line readers such as Node's readline treat them as line breaks.
 */
export function encodeJsonLine(value: unknown): string {
  return escapeLineSeparators(JSON.stringify(value)) + '\n';
}

/** Escapes U+2028 and U+2029 in already-serialised JSON text. */
export function escapeLineSeparators(json: string): string {
  if (!json.includes('\u2028') && !json.includes('\u2029')) return json;
  return json.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
}
