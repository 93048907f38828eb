import { HubError, type SendOutcome } from '@imsg-hub/hub-protocol';
import { DeliveryFailure, imsgError, type DeliveryTransport } from '@imsg-hub/imsg-protocol';
import { PeerError, RpcError } from '@imsg-hub/jsonrpc';
import { FacadeError, toImsgRpcError } from '../facade-errors.js';
import { MaybeSubmitted } from '../hub-submit.js';

// How a mutation through the hub is answered in imsg 0.15's terms (reference/imsg-protocol-v1.md
// §2.4): `ok` only once the owning account's imsg accepted it; -32603 "Delivery failed before
// dispatch" {disposition: not_started, retry_safe: true} only when it provably never reached imsg;
// everything in between is -32001 "Delivery outcome unknown" {retry_safe: false}. Never a retry bait.

/** What the mutation is, in imsg's delivery vocabulary. */
export interface Operation {
  transport: DeliveryTransport;
  /** `send` (AppleScript), or the bridge action: `send-reaction`, `edit-message`, `unsend-message`, `typing`, `read`. */
  operation: string;
  /** The thing the detail talks about ("the send", "the tapback"). */
  noun: string;
}

export const SEND_OPERATION: Operation = { transport: 'applescript', operation: 'send', noun: 'the send' };
/** send.tracked is a bridge send in imsg (its delivery data says so). */
export const TRACKED_OPERATION: Operation = { transport: 'bridge_v2', operation: 'send-message', noun: 'the send' };

/**
 * imsg's own error, passed on verbatim by the agent and the hub. Marked, because its numbers
 * (-32001 … -32004) collide with hub codes and must not be read as the hub's.
 */
export class ImsgVerbatim extends RpcError {}

const notStarted = (op: Operation, detail: string) => new DeliveryFailure('not_started', op.transport, op.operation, `imsg-hub: ${detail}`);

/** -32001: the hub holds it (or may), under `key`; it goes out at most once, and its state is readable. */
export function outcomeUnknown(op: Operation, key: string, where: string): DeliveryFailure {
  return new DeliveryFailure(
    'may_have_completed',
    op.transport,
    op.operation,
    `imsg-hub: ${op.noun} ${where} (idempotency key ${key}); its outcome is not known yet. It is never sent twice: do not send it again; message.send_status {"guid":"${key}"} tells how it ends`,
  );
}

/** Hub codes that mean the hub recorded nothing, or the agent never started it. */
const NEVER_STARTED = new Set(['AGENT_OFFLINE', 'RATE_LIMITED', 'ACTION_UNAVAILABLE', 'SEND_NOT_STARTED', 'SEND_EXPIRED']);

/** The outcome when imsg accepted it; otherwise throws what imsg 0.15 would answer. */
export function settledOutcome(outcome: SendOutcome, op: Operation): SendOutcome {
  switch (outcome.state) {
    case 'sent':
      return outcome;
    case 'expired':
      throw notStarted(
        op,
        `${op.noun} was not started before its queue time ran out (${outcome.error?.message ?? `the agent for ${outcome.account} was offline`}); nothing was sent`,
      );
    case 'failed':
      throw failedOutcome(outcome, op);
    case 'queued':
      throw outcomeUnknown(op, outcome.idempotency_key, `waits at the hub for ${outcome.account}'s agent`);
    case 'dispatched':
      throw outcomeUnknown(op, outcome.idempotency_key, `was handed to ${outcome.account}'s agent`);
    case 'in_doubt':
      throw outcomeUnknown(op, outcome.idempotency_key, `may or may not have been sent by ${outcome.account}'s imsg (in doubt at the hub)`);
  }
}

function failedOutcome(outcome: SendOutcome, op: Operation): Error {
  const e = outcome.error;
  if (!e) return imsgError.internal(`imsg-hub: ${op.noun} failed [SEND_FAILED]`);
  const data = e.data as { code?: unknown; last?: { code?: unknown } } | undefined;
  const hubCode = typeof data?.code === 'string' ? data.code : undefined;
  // imsg's own error, passed on verbatim by the agent and the hub (string or delivery object).
  if (hubCode === undefined) return new ImsgVerbatim(e.code, e.message, e.data);
  if (hubCode === 'SEND_FAILED') {
    // The hub gave up after its attempts; whether imsg may have it depends on the last answer.
    const last = typeof data?.last?.code === 'string' ? data.last.code : undefined;
    if (last !== undefined && NEVER_STARTED.has(last)) return notStarted(op, `${e.message}; nothing was sent`);
    if (last === 'PAYLOAD_TOO_LARGE') return imsgError.invalidParams(`imsg-hub: ${e.message} [PAYLOAD_TOO_LARGE]`);
    return outcomeUnknown(op, outcome.idempotency_key, `could not be confirmed by ${outcome.account}'s agent (${e.message})`);
  }
  if (NEVER_STARTED.has(hubCode)) return notStarted(op, `${e.message}; nothing was sent`);
  if (hubCode === 'PAYLOAD_TOO_LARGE') return imsgError.invalidParams(`imsg-hub: ${e.message} [PAYLOAD_TOO_LARGE]`);
  return imsgError.internal(`imsg-hub: ${e.message} [${hubCode}]`);
}

export interface RefusalContext {
  /** The imsg `chat_id` the request named: a hub "no route" reads `unknown chat_id <n>`. */
  chatId?: number | undefined;
  /** send.tracked: a key the hub already holds for another request is imsg's "choose a new UUID". */
  tracked?: boolean;
}

/** A mutation that did not come back with an outcome: what imsg 0.15 would answer. */
export function refusal(err: unknown, op: Operation, context: RefusalContext = {}): Error {
  if (err instanceof DeliveryFailure || err instanceof ImsgVerbatim) return err;
  if (err instanceof MaybeSubmitted) return outcomeUnknown(op, err.key, 'was handed to the hub, which did not answer in time');
  // Nothing reached the hub: the facade could not hand it over.
  if (err instanceof FacadeError) return notStarted(op, `${err.message} [${err.code}]; nothing was sent`);
  if (err instanceof PeerError) return notStarted(op, `the hub link failed before ${op.noun} reached it: ${err.message} [${err.failure}]; nothing was sent`);
  const hub = HubError.from(err);
  if (hub) {
    if (hub.hubCode === 'IDEMPOTENCY_CONFLICT' && context.tracked) {
      // imsg's own words: the attempt id is taken (here: by another request under the same hub key).
      return new DeliveryFailure('not_started', op.transport, op.operation, 'attempt_id already identifies a message; choose a new UUID');
    }
    if (NEVER_STARTED.has(hub.hubCode)) return notStarted(op, `${hub.message} [${hub.hubCode}]`);
  }
  return toImsgRpcError(err, { chatId: context.chatId });
}
