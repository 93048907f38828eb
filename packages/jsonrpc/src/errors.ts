import { CodedError } from './coded-error.js';
import { standardErrorMessage } from './error-codes.js';

/** Stable string codes for failures of this package; listed in docs/errors.md. */
export type JsonRpcFailureCode =
  | 'RPC_ERROR'
  | 'RPC_TIMEOUT'
  | 'PEER_CLOSED'
  | 'WRITE_FAILED'
  | 'FRAME_TOO_LARGE'
  | 'FRAME_TOO_DEEP'
  | 'SLOW_CONSUMER'
  | 'PROTOCOL_ERROR';

/** An error answer from the remote peer (or one we send): JSON-RPC code, message and data. */
export class RpcError extends Error {
  readonly code: number;
  readonly data: unknown;
  readonly failure: JsonRpcFailureCode = 'RPC_ERROR';

  constructor(code: number, message?: string, data?: unknown, options?: ErrorOptions) {
    super(message ?? standardErrorMessage[code] ?? 'Error', options);
    this.name = 'RpcError';
    this.code = code;
    this.data = data;
  }

  /** The wire form of the error object. */
  toJSON(): { code: number; message: string; data?: unknown } {
    return this.data === undefined ? { code: this.code, message: this.message } : { code: this.code, message: this.message, data: this.data };
  }

  /** Human text: message plus data, as clients print it. */
  describe(): string {
    if (this.data === undefined) return `${this.message} (code ${this.code})`;
    const data = typeof this.data === 'string' ? this.data : JSON.stringify(this.data);
    return `${this.message} (code ${this.code}): ${data}`;
  }
}

/** A local failure of the connection rather than an answer from the peer; `code` and `failure` agree. */
export class PeerError extends CodedError<Exclude<JsonRpcFailureCode, 'RPC_ERROR'>> {
  readonly failure: JsonRpcFailureCode;
  constructor(failure: Exclude<JsonRpcFailureCode, 'RPC_ERROR'>, message: string, options?: ErrorOptions) {
    super(failure, message, options);
    this.name = 'PeerError';
    this.failure = failure;
  }
}
