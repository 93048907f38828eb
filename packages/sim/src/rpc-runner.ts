import type { Readable, Writable } from 'node:stream';
import { LineStreamTransport } from '@imsg-hub/jsonrpc';
import { ImsgRpcServer, ImsgV1RpcServer } from '@imsg-hub/imsg-protocol';
import { DEFAULT_IMSG_VERSION, printedVersion, speaksV1, type SimImsgVersion } from './imsg-version.js';
import type { SimLog } from './sim-log.js';
import { openSimBackend, type OpenBackendOptions } from './startup.js';
import { openSimBackendV1 } from './v1/open-backend-v1.js';
import type { SimBridgeMode } from './v1/sim-bridge.js';

export interface RunRpcOptions extends OpenBackendOptions {
  input: Readable;
  output: Writable;
  /** Which imsg to play (default 0.15.10, protocol v1). */
  imsgVersion?: SimImsgVersion | undefined;
  /** 0.15 only: whether the simulated IMCore bridge runs (default ready). */
  bridge?: SimBridgeMode | undefined;
  /** 0.15 only, TEST-ONLY: the fault control file. */
  faultsFile?: string | undefined;
  /** 0.15 only: ms between a send's pending → sent → delivered states. */
  receiptMs?: number | undefined;
  /** Diagnostics (the CLI's `createLogger`, on stderr); stdout is the protocol. */
  log?: RpcLog;
}

/** The part of a pino logger the runner uses. */
export type RpcLog = SimLog;

/** Serves `imsg rpc` until the input ends; resolves with the exit status (0, or 1 in 0.9's startup-error mode). */
export async function runImsgRpc(options: RunRpcOptions): Promise<number> {
  const version = options.imsgVersion ?? DEFAULT_IMSG_VERSION;
  const transport = new LineStreamTransport(options.input, options.output, { endOutputOnClose: false });
  const onOversize = (bytes: number) => options.log?.warn({ bytes }, 'dropped over-long line');
  if (speaksV1(version)) {
    options.log?.info({ db: options.dbPath, imsg: version, bridge: options.bridge ?? 'ready' }, 'serving');
    const backend = openSimBackendV1({
      dbPath: options.dbPath,
      worldFile: options.worldFile,
      version: printedVersion(version),
      bridge: options.bridge,
      pollMs: options.pollMs,
      faultsFile: options.faultsFile,
      receiptMs: options.receiptMs,
      log: options.log,
    });
    return new ImsgV1RpcServer(transport, backend, { onOversize }).finished;
  }
  const opened = openSimBackend(options);
  if (opened.startupError === undefined) options.log?.info({ db: options.dbPath, imsg: version }, 'serving');
  else options.log?.error({ db: options.dbPath, error: opened.startupError }, 'startup error');
  const server = new ImsgRpcServer(transport, opened.backend, { exitCode: opened.exitCode, onOversize });
  return server.finished;
}
