import { RpcError } from '@imsg-hub/jsonrpc';

/**
 * Every failure the hub reports, by stable string code, with its JSON-RPC number.
 * The table is listed in docs/errors.md; both ends map through it.
 */
export const HUB_ERROR_CODES = {
  UNAUTHORIZED: -32001,
  HELLO_REQUIRED: -32002,
  PROTOCOL_VERSION: -32003,
  TOKEN_SCOPE: -32004,
  WRONG_ROLE: -32005,
  NO_ROUTE: -32010,
  BAD_TARGET: -32011,
  RATE_LIMITED: -32012,
  AGENT_OFFLINE: -32013,
  SEND_FAILED: -32014,
  SEND_EXPIRED: -32015,
  IDEMPOTENCY_CONFLICT: -32016,
  STALE_EPOCH: -32017,
  /** Agent → hub, in answer to send.dispatch: imsg never started this send; safe to offer again. */
  SEND_NOT_STARTED: -32018,
  /** Agent → hub: the send's outcome is not known yet (the agent is resolving it); never re-sent on a guess. */
  SEND_IN_DOUBT: -32019,
  NOT_FOUND: -32020,
  /** The account's imsg cannot do this action now; the message names what would enable it. */
  ACTION_UNAVAILABLE: -32021,
  /** An agent's batch follows rows the hub has not stored (an earlier batch failed): resend from the hub's mark. */
  ROWS_GAP: -32022,
  /** Agent → hub, in a failed outcome: the send named a local file the agent may not send (never started). */
  LOCAL_PATH_REFUSED: -32023,
  FRAME_TOO_LARGE: -32030,
  PAYLOAD_TOO_LARGE: -32031,
  FRAME_TOO_DEEP: -32032,
  TOO_MANY_CONNECTIONS: -32033,
  /** upload.begin over the token's upload quota (bytes or count of blobs it stored). */
  QUOTA_EXCEEDED: -32034,
  INVALID_PARAMS: -32602,
  INTERNAL: -32603,
} as const;

export type HubErrorCode = keyof typeof HUB_ERROR_CODES;

const BY_NUMBER = new Map<number, HubErrorCode>(Object.entries(HUB_ERROR_CODES).map(([k, v]) => [v, k as HubErrorCode]));

/** Structured detail carried in `error.data`; `code` repeats the string code. */
export interface HubErrorData {
  code: HubErrorCode;
  [key: string]: unknown;
}

/** A hub failure with a string code, a message that says what to do next, and details. */
export class HubError extends RpcError {
  readonly hubCode: HubErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: HubErrorCode, message: string, details: Record<string, unknown> = {}, options?: ErrorOptions) {
    super(HUB_ERROR_CODES[code], message, { code, ...details } satisfies HubErrorData, options);
    this.name = 'HubError';
    this.hubCode = code;
    this.details = details;
  }

  /** Recovers a HubError from an RpcError received over the wire (undefined if it is not one). */
  static from(error: unknown): HubError | undefined {
    if (error instanceof HubError) return error;
    if (!(error instanceof RpcError)) return undefined;
    const data = error.data as Partial<HubErrorData> | undefined;
    const code = typeof data?.code === 'string' && data.code in HUB_ERROR_CODES ? (data.code as HubErrorCode) : BY_NUMBER.get(error.code);
    if (!code) return undefined;
    const { code: _c, ...details } = (typeof data === 'object' && data !== null ? data : {}) as HubErrorData;
    return new HubError(code, error.message, details);
  }
}
