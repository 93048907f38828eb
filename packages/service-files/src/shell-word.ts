/**
 * One word of a command printed for a person to paste into a POSIX shell (the next steps after an
 * install): single-quoted unless plainly safe. Nothing here runs a shell.
 */
export function shellWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}
