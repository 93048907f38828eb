import { HubError } from '@imsg-hub/hub-protocol';
import { imsgError } from '@imsg-hub/imsg-protocol';
import { PeerError, RpcError } from '@imsg-hub/jsonrpc';
import { describe, expect, it } from 'vitest';
import { FacadeError, isLinkFailure, toImsgRpcError } from './facade-errors.js';

const wire = (e: HubError) => new RpcError(e.code, e.message, e.data); // as it arrives over the socket

describe('toImsgRpcError', () => {
  it('passes imsg’s own errors through verbatim', () => {
    const e = new RpcError(-32603, 'Internal error', 'AppleScript failed: nope');
    expect(toImsgRpcError(e)).toBe(e);
    expect(toImsgRpcError(imsgError.invalidParams('invalid service')).toJSON()).toEqual({ code: -32602, message: 'Invalid params', data: 'invalid service' });
  });
  it('a chat the hub cannot find, named by chat_id, reads as imsg says it', () => {
    const e = wire(new HubError('NO_ROUTE', 'no chat matches chat_id:9 among the accounts this token sees (a)'));
    expect(toImsgRpcError(e, { chatId: 9 }).toJSON()).toEqual({ code: -32602, message: 'Invalid params', data: 'unknown chat_id 9' });
  });
  it('hub refusals: -32602 for a wrong target, -32603 otherwise, with advice and the code', () => {
    const route = toImsgRpcError(wire(new HubError('NO_ROUTE', 'no route for +1555')));
    expect(route).toMatchObject({ code: -32602, message: 'Invalid params' });
    expect(route.data).toMatch(/^imsg-hub: no route for \+1555\. With imsg-hub rpc: run one wrapper per account .* \[NO_ROUTE\]$/);
    expect(toImsgRpcError(wire(new HubError('RATE_LIMITED', 'rate limited: a is sending too fast, retry after 3 s')))).toMatchObject({
      code: -32603,
      data: 'imsg-hub: rate limited: a is sending too fast, retry after 3 s [RATE_LIMITED]',
    });
  });
  it('link trouble and the facade’s own failures are -32603 naming their code', () => {
    expect(toImsgRpcError(new PeerError('PEER_CLOSED', 'websocket is not open')).data).toBe(
      'imsg-hub: the hub link failed: websocket is not open [PEER_CLOSED]',
    );
    expect(toImsgRpcError(new FacadeError('HUB_UNREACHABLE', 'cannot reach the hub')).data).toBe('imsg-hub: cannot reach the hub [HUB_UNREACHABLE]');
    expect(toImsgRpcError(new Error('boom')).toJSON()).toEqual({ code: -32603, message: 'Internal error', data: 'boom' });
    expect([isLinkFailure(new PeerError('RPC_TIMEOUT', 'x')), isLinkFailure(new FacadeError('DEADLINE', 'x')), isLinkFailure(new Error('x'))]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
