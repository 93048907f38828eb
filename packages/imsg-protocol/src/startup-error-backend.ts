import type { RpcError } from '@imsg-hub/jsonrpc';
import { imsgError } from './imsg-error.js';
import type { ImsgBackend } from './imsg-server.js';

/**
 * imsg's startup-error mode (reference §1.5): the JSON-RPC framing stays up and every parseable
 * request, known method or not, is answered with the one problem (-32603 with the text, unless an
 * error is given), so the client shows it. Serve it with `exitCode: 1`: imsg exits 1 at EOF.
 * Used by the simulator (a chat.db it cannot open) and the facade (a configuration it cannot use).
 */
export class StartupErrorBackend implements ImsgBackend {
  readonly #error: () => RpcError;

  constructor(problem: string | RpcError) {
    this.#error = typeof problem === 'string' ? () => imsgError.internal(problem) : () => problem;
  }

  handle(): never {
    throw this.#error();
  }

  close(): void {}
}
