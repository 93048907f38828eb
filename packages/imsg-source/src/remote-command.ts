/**
 * Builds the command line an SSH exec channel runs. sshd hands it to the remote user's shell,
 * so every argument is quoted: the shell interprets nothing we pass.
 */
export function remoteCommandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new TypeError('remote command must not be empty');
  return argv.map(quoteArg).join(' ');
}

/** POSIX shell quoting: plain words stay as they are, anything else goes in single quotes. */
export function quoteArg(arg: string): string {
  if (/^[A-Za-z0-9_/.:=@%+,-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A configured remote command: an argv array, or a string split on whitespace (no quoting rules). */
export function remoteArgv(command: string | readonly string[] | undefined, db: string | undefined): string[] {
  const base = command === undefined ? ['imsg', 'rpc'] : typeof command === 'string' ? command.trim().split(/\s+/) : [...command];
  return db ? [...base, '--db', db] : base;
}
