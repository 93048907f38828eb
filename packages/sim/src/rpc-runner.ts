import type { Readable, Writable } from 'node:stream';
import { LineStreamTransport } from '@imsg-hub/jsonrpc';
import { ImsgRpcServer } from '@imsg-hub/imsg-protocol';
import { openSimBackend, type OpenBackendOptions } from './startup.js';

export interface RunRpcOptions extends OpenBackendOptions {
  input: Readable;
  output: Writable;
  /** Diagnostics (stderr in the CLI); stdout is the protocol. */
  log?: (record: Record<string, unknown>) => void;
}

/** Serves `imsg rpc` until the input ends; resolves with the exit status (0, or 1 in startup-error mode). */
export async function runImsgRpc(options: RunRpcOptions): Promise<number> {
  const opened = openSimBackend(options);
  options.log?.(
    opened.startupError === undefined ? { msg: 'serving', db: options.dbPath } : { msg: 'startup error', db: options.dbPath, error: opened.startupError },
  );
  const transport = new LineStreamTransport(options.input, options.output, { endOutputOnClose: false });
  const server = new ImsgRpcServer(transport, opened.backend, {
    exitCode: opened.exitCode,
    onOversize: (bytes) => options.log?.({ msg: 'dropped over-long line', bytes }),
  });
  return server.finished;
}
