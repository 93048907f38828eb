import type { Logger } from '@imsg-hub/logger';
import type { LogLevel } from './facade-options.js';

/** What the facade logs with: pino's methods, as `(fields, message)`. */
export interface FacadeLog {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  /** Resolves once every line logged so far has been handed to pino. */
  flush(): Promise<void>;
}

type Method = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel | Method, number> = { debug: 20, info: 30, warn: 40, error: 50, silent: Number.POSITIVE_INFINITY };

/**
 * The facade's pino logger (via @imsg-hub/logger), loaded the first time a line is due: OpenClaw
 * spawns `imsg-hub rpc` for every probe and send, at `warn`, and most runs log nothing, so they do
 * not pay for loading pino. Lines logged before it is loaded keep their order and their time.
 */
export function lazyLogger(name: string, level: LogLevel): FacadeLog {
  let real: Logger | undefined;
  let loading: Promise<void> | undefined;
  const early: [Method, object, string, number][] = [];
  const emit = (method: Method, fields: object, message: string) => {
    if (RANK[method] < RANK[level]) return;
    if (real) return void real[method](fields, message);
    early.push([method, fields, message, Date.now()]);
    loading ??= import('@imsg-hub/logger').then(({ createLogger }) => {
      real = createLogger(name, { level });
      for (const [m, f, msg, at] of early.splice(0)) real[m]({ ...f, logged_at: new Date(at).toISOString() }, msg);
    });
  };
  return {
    debug: (f, m) => emit('debug', f, m),
    info: (f, m) => emit('info', f, m),
    warn: (f, m) => emit('warn', f, m),
    error: (f, m) => emit('error', f, m),
    flush: async () => {
      await loading;
    },
  };
}
