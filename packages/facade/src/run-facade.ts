import type { Readable, Writable } from 'node:stream';
import { ImsgRpcServer, ImsgV1RpcServer, StartupErrorBackend } from '@imsg-hub/imsg-protocol';
import { LineStreamTransport } from '@imsg-hub/jsonrpc';
import { AccountView } from './account-view.js';
import { AttachmentCache } from './attachment-cache.js';
import { CapabilityCache } from './capability-cache.js';
import { FacadeBackend } from './facade-backend.js';
import { lazyLogger } from './facade-log.js';
import type { FacadeContext } from './facade-context.js';
import { toImsgRpcError } from './facade-errors.js';
import { resolveFacadeOptions, type FacadeFlags, type FacadeOptions } from './facade-options.js';
import { HubLink } from './hub-link.js';
import { ArrivalClock, arrivalClock } from './request-clock.js';
import { FACADE_VERSION } from './status.js';
import { FacadeV1Backend } from './v1/v1-backend.js';

export interface FacadeIo {
  input: Readable;
  output: Writable;
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `imsg-hub rpc` until stdin ends and resolves with the exit status. The hub connection
 * starts at once, in parallel with reading requests; requests wait for it within their budget.
 */
export async function runFacade(flags: FacadeFlags, io: FacadeIo = { input: process.stdin, output: process.stdout }): Promise<number> {
  const lines = new LineStreamTransport(io.input, io.output);
  let options: FacadeOptions;
  try {
    options = resolveFacadeOptions(flags, io.env ?? process.env);
  } catch (err) {
    // Like imsg's startup-error mode (§1.5): keep the JSON-RPC framing, answer every request with
    // the problem (OpenClaw shows it), exit 1 at EOF.
    const error = toImsgRpcError(err);
    process.stderr.write(`imsg-hub rpc: ${String(error.data)}\n`);
    return new ImsgRpcServer(new ArrivalClock(lines), new StartupErrorBackend(error), { exitCode: 1 }).finished;
  }
  const ctx = startFacadeContext(options, 'imsg-hub rpc');
  if (options.imsgVersion === '0.9.0') {
    const transport = new ArrivalClock(lines);
    return new ImsgRpcServer(transport, new FacadeBackend(ctx, transport)).finished;
  }
  return new ImsgV1RpcServer(lines, new FacadeV1Backend(ctx), { clock: arrivalClock() }).finished;
}

/** The facade's working parts over a hub link that starts dialing at once (rpc, one-shots). */
export function startFacadeContext(options: FacadeOptions, name: string): FacadeContext {
  // OpenClaw logs every stderr line: `warn` unless asked for more.
  const log = lazyLogger(name, options.logLevel);
  const link = new HubLink({ url: options.hubUrls, token: options.token, account: options.account, ca: options.ca, version: FACADE_VERSION, log });
  link.start();
  log.debug({ hubUrl: options.hubUrl, account: options.account ?? '(merged)' }, 'starting');
  return {
    link,
    view: new AccountView(options.account),
    cache: new AttachmentCache(options.cacheDir, log),
    options,
    log,
    capabilities: new CapabilityCache(options.account),
  };
}
