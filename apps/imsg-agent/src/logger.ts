import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/** JSON lines on stderr; human-readable when stderr is a terminal. */
export function createLogger(level: string): Logger {
  if (process.stderr.isTTY) {
    return pino({ level }, pretty({ destination: 2, sync: true, colorize: true }));
  }
  return pino({ level }, pino.destination({ dest: 2, sync: true }));
}
