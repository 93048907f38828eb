import { RpcError } from '@imsg-hub/jsonrpc';
import { z } from 'zod';

// imsg 0.15's error vocabulary (reference/imsg-protocol-v1.md §2.4): the 0.9 codes keep string
// `data`; the delivery, database and bridge codes carry objects.

export const ImsgV1ErrorCode = {
  ServerBusy: -32000,
  DeliveryOutcomeUnknown: -32001,
  DatabaseUnavailable: -32002,
  BridgeUnavailable: -32003,
  MutationLaneBlocked: -32004,
} as const;

export const DeliveryDispositionSchema = z.enum(['not_started', 'may_have_completed', 'still_in_flight']);
export type DeliveryDisposition = z.infer<typeof DeliveryDispositionSchema>;
export const DeliveryTransportSchema = z.enum(['bridge_v2', 'bridge_legacy', 'applescript']);
export type DeliveryTransport = z.infer<typeof DeliveryTransportSchema>;

/** `data` of -32001, -32004 and the -32603 that proves `not_started`. */
export const DeliveryFailureDataSchema = z.looseObject({
  retry_safe: z.boolean(),
  disposition: DeliveryDispositionSchema,
  transport: DeliveryTransportSchema,
  operation: z.string(),
  detail: z.string(),
});
export type DeliveryFailureData = z.infer<typeof DeliveryFailureDataSchema>;

/** `data` of -32002. */
export const DatabaseUnavailableDataSchema = z.looseObject({ path: z.string(), detail: z.string(), retryable: z.boolean() });
/** `data` of -32003. */
export const BridgeUnavailableDataSchema = z.looseObject({ detail: z.string(), retryable: z.boolean() });

const EMPTY_DETAIL = 'No additional diagnostic was available.';
const MAX_DETAIL = 512;

/** A mutation's outcome as imsg's DeliveryFailure states it; thrown by handlers, mapped by the server. */
export class DeliveryFailure extends Error {
  readonly disposition: DeliveryDisposition;
  readonly transport: DeliveryTransport;
  readonly operation: string;
  readonly detail: string;

  constructor(disposition: DeliveryDisposition, transport: DeliveryTransport, operation: string, detail: string) {
    const line = detail.replace(/\s+/g, ' ').trim().slice(0, MAX_DETAIL);
    super(line || EMPTY_DETAIL);
    this.name = 'DeliveryFailure';
    this.disposition = disposition;
    this.transport = transport;
    this.operation = operation;
    this.detail = line || EMPTY_DETAIL;
  }

  get retrySafe(): boolean {
    return this.disposition === 'not_started';
  }

  data(): DeliveryFailureData {
    return { retry_safe: this.retrySafe, disposition: this.disposition, transport: this.transport, operation: this.operation, detail: this.detail };
  }

  /** -32603 "Delivery failed before dispatch" when proved not started, else -32001. */
  toRpcError(): RpcError {
    return this.retrySafe
      ? new RpcError(-32603, 'Delivery failed before dispatch', this.data())
      : new RpcError(ImsgV1ErrorCode.DeliveryOutcomeUnknown, 'Delivery outcome unknown', this.data());
  }
}

/** The errors imsg 0.15 writes, by constructor name (RPCError in RPCServer+Support.swift). */
export const imsgV1Error = {
  serverBusy: (
    data: 'outstanding request limit exceeded' | 'subscription limit exceeded' | 'server is shutting down' | 'subscription was cancelled before activation',
  ) => new RpcError(ImsgV1ErrorCode.ServerBusy, 'Server busy', data),
  databaseUnavailable: (path: string, detail: string) =>
    new RpcError(ImsgV1ErrorCode.DatabaseUnavailable, 'Database unavailable', { path, detail, retryable: true }),
  bridgeUnavailable: () => new RpcError(ImsgV1ErrorCode.BridgeUnavailable, 'Bridge unavailable', { detail: BRIDGE_NOT_STARTED, retryable: true }),
  bridgeEventsUnavailable: (detail: string) => new RpcError(ImsgV1ErrorCode.BridgeUnavailable, 'Bridge events unavailable', { detail, retryable: true }),
  mutationLaneBlocked: (poison: DeliveryFailure) =>
    new RpcError(ImsgV1ErrorCode.MutationLaneBlocked, 'Mutation lane blocked', {
      ...poison.data(),
      detail: `A prior ${poison.operation} remains in flight. Restart the RPC child before sending another mutation.`,
    }),
};

/** The bridge snapshot's error when the ready lock is absent (docs/bridge.md). */
export const BRIDGE_NOT_STARTED = 'The bridge is not started. Run imsg launch explicitly before using bridge methods.';

/** The two `database.error` / -32002 detail texts (RPCDatabaseResources.swift). */
export const DATABASE_MISSING = 'The configured Messages database does not exist. Create or copy chat.db at this path, then retry.';
export const DATABASE_UNREADABLE =
  'The configured Messages database could not be opened read-only. Verify the path and grant Full Disk Access to the supervising process, then retry.';
