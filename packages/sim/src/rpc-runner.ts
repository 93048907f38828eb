import type { Readable, Writable } from 'node:stream';
import { LineStreamTransport } from '@imsg-hub/jsonrpc';
import { ImsgRpcServer } from '@imsg-hub/imsg-protocol';
import { openSimBackend, type OpenBackendOptions } from './startup.js';

export interface RunRpcOptions extends OpenBackendOptions {
  input: Readable;
  output: Writable;
  /** Diagnostics (the CLI's `createLogger`, on stderr); stdout is the protocol. */
  log?: RpcLog;
}

/** The part of a pino logger the runner uses. */
export interface RpcLog {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/** Serves `imsg rpc` until the input ends; resolves with the exit status (0, or 1 in startup-error mode). */
export async function runImsgRpc(options: RunRpcOptions): Promise<number> {
  const opened = openSimBackend(options);
  if (opened.startupError === undefined) options.log?.info({ db: options.dbPath }, 'serving');
  else options.log?.error({ db: options.dbPath, error: opened.startupError }, 'startup error');
  const transport = new LineStreamTransport(options.input, options.output, { endOutputOnClose: false });
  const server = new ImsgRpcServer(transport, opened.backend, {
    exitCode: opened.exitCode,
    onOversize: (bytes) => options.log?.warn({ bytes }, 'dropped over-long line'),
  });
  return server.finished;
}
