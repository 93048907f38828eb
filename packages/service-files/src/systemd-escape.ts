// Quoting for values in systemd unit files (systemd.syntax(7), systemd.service(5) "Command lines",
// systemd.unit(5) "Specifiers"). A word is split on whitespace, may be double-quoted, and takes
// C-style backslash escapes; `%` starts a specifier everywhere; in command lines `$` starts an
// environment variable. A value written here reads back as exactly the string given.

/** Characters that need no quoting in a word. */
const PLAIN = /^[A-Za-z0-9_@%+=:,./-]+$/;

const C_ESCAPES: Record<string, string> = { '\\': '\\\\', '"': '\\"', '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** `%` → `%%`, so no specifier expands. */
export function escapeSpecifiers(value: string): string {
  return value.replaceAll('%', '%%');
}

function quoteWord(value: string, dollars: boolean): string {
  let text = escapeSpecifiers(value);
  if (dollars) text = text.replaceAll('$', '$$$$');
  if (value !== '' && PLAIN.test(value)) return text;
  const escaped = text.replace(/[\\"\n\t\r]|[\u0000-\u001f\u007f]/g, (c) => C_ESCAPES[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return `"${escaped}"`;
}

/** One argument of `ExecStart=`: quoted when needed, with `%` and `$` doubled. */
export function quoteExecArg(arg: string): string {
  // A lone ";" separates commands on a command line; "\;" is the literal.
  if (arg === ';') return '\\;';
  return quoteWord(arg, true);
}

/** A whole command line for `ExecStart=`. */
export function execLine(argv: readonly string[]): string {
  return argv.map(quoteExecArg).join(' ');
}

/** One path in a space-separated list (`ReadWritePaths=`): quoted when needed, `%` doubled. */
export function quotePath(path: string): string {
  // Path lists take no C escapes (only \\ and \"), so a control character could not be written back.
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new TypeError(`path ${JSON.stringify(path)} holds a control character`);
  return quoteWord(path, false);
}

/** A free-text value on one line (`Description=`): specifiers escaped, line breaks flattened. */
export function unitText(value: string): string {
  return escapeSpecifiers(value.replace(/[\r\n]+/g, ' ').trim());
}
