import pino, { type Logger } from 'pino';

/** pino JSON on stderr; pretty when stderr is a terminal. stdout stays free for output and protocols. */
export function createLogger(name: string, level = process.env['LOG_LEVEL'] ?? 'info'): Logger {
  if (process.stderr.isTTY) {
    return pino({ name, level, transport: { target: 'pino-pretty', options: { destination: 2, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino({ name, level }, pino.destination({ dest: 2, sync: false }));
}
