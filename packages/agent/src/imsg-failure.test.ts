import { DeliveryFailure, imsgError, imsgV1Error } from '@imsg-hub/imsg-protocol';
import { PeerError, RpcError } from '@imsg-hub/jsonrpc';
import { describe, expect, it } from 'vitest';
import { classifyImsgFailure } from './imsg-failure.js';

describe('classifyImsgFailure', () => {
  it('reads imsg 0.15’s typed answers by code and data, never by text', () => {
    const kind = (err: unknown) => classifyImsgFailure(err).kind;
    expect(kind(new DeliveryFailure('not_started', 'bridge_v2', 'send-message', 'x').toRpcError())).toBe('not_started');
    expect(classifyImsgFailure(new DeliveryFailure('may_have_completed', 'applescript', 'send', 'x').toRpcError())).toMatchObject({
      kind: 'in_doubt',
      disposition: 'may_have_completed',
    });
    expect(classifyImsgFailure(new DeliveryFailure('still_in_flight', 'bridge_v2', 'send-message', 'x').toRpcError())).toMatchObject({
      kind: 'in_doubt',
      disposition: 'still_in_flight',
    });
    expect(kind(imsgV1Error.mutationLaneBlocked(new DeliveryFailure('still_in_flight', 'bridge_v2', 'send-message', 'x')))).toBe('lane_blocked');
    expect(kind(imsgV1Error.databaseUnavailable('/db', 'gone'))).toBe('database_unavailable');
    expect(kind(imsgV1Error.serverBusy('outstanding request limit exceeded'))).toBe('busy');
    // A -32603 whose text says "not started" but whose data is a string is imsg's own failure: final.
    expect(kind(new RpcError(-32603, 'Delivery failed before dispatch', 'not_started'))).toBe('refused');
    expect(kind(imsgError.invalidParams('unknown chat_id 9'))).toBe('refused');
  });

  it('no answer at all is lost: the send may or may not have happened', () => {
    expect(classifyImsgFailure(new PeerError('RPC_TIMEOUT', 'timed out')).kind).toBe('lost');
    expect(classifyImsgFailure(new TypeError('unexpected result')).kind).toBe('lost');
  });
});
