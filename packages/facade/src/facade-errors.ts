import { HubError } from '@imsg-hub/hub-protocol';
import { imsgError } from '@imsg-hub/imsg-protocol';
import { CodedError, PeerError, RpcError } from '@imsg-hub/jsonrpc';

/** Stable codes of the facade's own failures; listed in docs/errors.md and docs/openclaw.md. */
export type FacadeFailureCode = 'CONFIG' | 'HUB_UNREACHABLE' | 'HUB_REFUSED' | 'ACCOUNT_UNKNOWN' | 'DEADLINE' | 'LINK_LOST';

/** A failure of the facade itself (not of imsg, not a hub refusal); `message` says what to do. */
export class FacadeError extends CodedError<FacadeFailureCode> {
  constructor(code: FacadeFailureCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
    this.name = 'FacadeError';
  }
}

/** True for failures of the hub link (closed, unreachable) rather than answers from the hub. */
export function isLinkFailure(err: unknown): boolean {
  return err instanceof PeerError || (err instanceof FacadeError && (err.code === 'HUB_UNREACHABLE' || err.code === 'LINK_LOST'));
}

// Hub refusals that mean "the request names something wrong" answer -32602 like imsg's own
// parameter errors; everything else (scope, rate, offline, hub trouble) is -32603.
const INVALID_PARAMS_CODES = new Set(['NO_ROUTE', 'BAD_TARGET', 'INVALID_PARAMS', 'PAYLOAD_TOO_LARGE', 'NOT_FOUND', 'IDEMPOTENCY_CONFLICT']);

/** What an imsg client's operator can do about a refusal (the hub's own text speaks of its CLI). */
const HINTS: Partial<Record<string, string>> = {
  NO_ROUTE: '. With imsg-hub rpc: run one wrapper per account (--account), or give the hub a default_account or route rules',
  TOKEN_SCOPE: '. With imsg-hub rpc: give this wrapper a token that names the account',
};

export interface ErrorContext {
  /** The imsg `chat_id` the request named: the hub not finding it reads `unknown chat_id <n>`, as imsg says. */
  chatId?: number | undefined;
}

/**
 * Any failure → the error imsg would send: imsg's own errors (from the agent's imsg) verbatim,
 * hub refusals as -32602/-32603 with the hub's advice and its code, link trouble as -32603.
 */
export function toImsgRpcError(err: unknown, context: ErrorContext = {}): RpcError {
  if (err instanceof RpcError && typeof err.data === 'string') return err; // imsg's own, verbatim
  const hub = HubError.from(err);
  if (hub) {
    if ((hub.hubCode === 'NO_ROUTE' || hub.hubCode === 'BAD_TARGET') && context.chatId !== undefined)
      return imsgError.invalidParams(`unknown chat_id ${context.chatId}`);
    const text = `imsg-hub: ${hub.message}${HINTS[hub.hubCode] ?? ''} [${hub.hubCode}]`;
    return INVALID_PARAMS_CODES.has(hub.hubCode) ? imsgError.invalidParams(text) : imsgError.internal(text);
  }
  if (err instanceof FacadeError) return imsgError.internal(`imsg-hub: ${err.message} [${err.code}]`);
  if (err instanceof PeerError) return imsgError.internal(`imsg-hub: the hub link failed: ${err.message} [${err.failure}]`);
  if (err instanceof RpcError) return err;
  return imsgError.internal(err instanceof Error ? err.message : String(err));
}
