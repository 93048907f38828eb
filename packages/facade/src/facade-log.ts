import { LOG_LEVELS, type LogLevel } from './facade-options.js';

/** One JSON object per stderr line; stdout belongs to the protocol. */
export interface FacadeLog {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * A logger small enough for a process spawned per probe and per send (pino costs more to load
 * than the rest of `imsg-hub rpc`). OpenClaw logs every stderr line, so the default is `warn`.
 */
export function createFacadeLog(level: LogLevel, write: (line: string) => void = (l) => process.stderr.write(l)): FacadeLog {
  const threshold = LOG_LEVELS.indexOf(level);
  const at = (name: Exclude<LogLevel, 'silent'>) => {
    if (threshold === 0 || LOG_LEVELS.indexOf(name) > threshold) return () => undefined;
    return (msg: string, fields: Record<string, unknown> = {}) =>
      write(
        JSON.stringify({ level: name, time: new Date().toISOString(), uptime_ms: Math.round(performance.now()), name: 'imsg-hub rpc', msg, ...fields }) + '\n',
      );
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}
