/** The part of a pino logger the simulator uses for its diagnostics (stderr; stdout is the protocol). */
export interface SimLog {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}
