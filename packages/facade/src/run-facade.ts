import type { Readable, Writable } from 'node:stream';
import { ImsgRpcServer, StartupErrorBackend } from '@imsg-hub/imsg-protocol';
import { LineStreamTransport } from '@imsg-hub/jsonrpc';
import { createLogger } from '@imsg-hub/logger';
import { AccountView } from './account-view.js';
import { AttachmentCache } from './attachment-cache.js';
import { FacadeBackend } from './facade-backend.js';
import { toImsgRpcError } from './facade-errors.js';
import { resolveFacadeOptions, type FacadeFlags, type FacadeOptions } from './facade-options.js';
import { HubLink } from './hub-link.js';
import { ArrivalClock } from './request-clock.js';
import { FACADE_VERSION } from './status.js';

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
  const transport = new ArrivalClock(new LineStreamTransport(io.input, io.output));
  let options: FacadeOptions;
  try {
    options = resolveFacadeOptions(flags, io.env ?? process.env);
  } catch (err) {
    // Like imsg's startup-error mode (§1.5): keep the JSON-RPC framing, answer every request with
    // the problem (OpenClaw shows it), exit 1 at EOF.
    const error = toImsgRpcError(err);
    process.stderr.write(`imsg-hub rpc: ${String(error.data)}\n`);
    return new ImsgRpcServer(transport, new StartupErrorBackend(error), { exitCode: 1 }).finished;
  }
  // OpenClaw logs every stderr line: `warn` unless asked for more.
  const log = createLogger('imsg-hub rpc', { level: options.logLevel });
  const link = new HubLink({ url: options.hubUrl, token: options.token, account: options.account, ca: options.ca, version: FACADE_VERSION, log });
  link.start();
  log.debug({ hubUrl: options.hubUrl, account: options.account ?? '(merged)' }, 'starting');
  const ctx = { link, view: new AccountView(options.account), cache: new AttachmentCache(options.cacheDir, log), options, log };
  return new ImsgRpcServer(transport, new FacadeBackend(ctx, transport)).finished;
}
