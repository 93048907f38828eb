import pino, { type Logger } from 'pino';

/** Log lines captured from a pino logger, for assertions on what the code under test said. */
export function captureLog(): { log: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) });
  return { log, lines, text: () => lines.map((l) => JSON.stringify(l)).join('\n') };
}
