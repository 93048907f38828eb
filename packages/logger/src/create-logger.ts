import { createRequire } from 'node:module';
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export interface LoggerOptions {
  /** pino level name; default `LOG_LEVEL` from the environment, else `info`. */
  level?: string | undefined;
  /** File descriptor the lines go to (default 2: stdout belongs to output and protocols). */
  fd?: 1 | 2;
  /** Human-readable lines (pino-pretty) instead of JSON; default: when `fd` is a terminal. */
  pretty?: boolean | undefined;
  /** Write each line before returning (default); false buffers for throughput, flushed at exit. */
  sync?: boolean;
  /** Another destination (tests); then `fd`, `pretty` and `sync` do not apply. */
  stream?: DestinationStream;
}

/**
 * The one logger of every app and package: pino, one JSON object per line, named, on stderr; pretty
 * when that is a terminal. Bind context with `log.child({ account })`, never by pasting values into
 * the message.
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env['LOG_LEVEL'] ?? 'info';
  if (options.stream) return pino({ name, level }, options.stream);
  const fd = options.fd ?? 2;
  const sync = options.sync ?? true;
  const tty = fd === 1 ? process.stdout.isTTY : process.stderr.isTTY;
  if (options.pretty ?? tty === true) return pino({ name, level }, prettyStream(fd, sync));
  return pino({ name, level }, pino.destination({ dest: fd, sync }));
}

/** pino-pretty in this thread, loaded only when wanted (most runs write JSON to a pipe). */
function prettyStream(fd: 1 | 2, sync: boolean): DestinationStream {
  const require = createRequire(import.meta.url);
  const pretty = require('pino-pretty') as (options: Record<string, unknown>) => DestinationStream;
  return pretty({ destination: fd, sync, colorize: true, translateTime: 'SYS:HH:MM:ss.l' });
}
