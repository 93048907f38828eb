import { RpcError } from '@imsg-hub/jsonrpc';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { facadeEnv, openFacadeClient } from './conformance/facade-process.js';
import { startFleet } from './support/fleet.js';

// Playing imsg 0.15, a send the hub took but could not confirm in time is "Delivery outcome
// unknown" (-32001, retry_safe false): never `ok` for a send no imsg accepted, never an invitation
// to send again. The message still goes out, once.
describe('facade (imsg 0.15) send past its answer budget', () => {
  it('answers -32001 {retry_safe:false} when the hub stalls mid-send, and the message goes out once', async () => {
    await using tmp = tempDir('facade-v1-deadline-');
    await using fleet = await startFleet({ dir: tmp.path, accounts: [{ name: 'alice', handles: ['alice@example.com'], via: 'local' }] });
    const env = {
      ...facadeEnv({ hubUrl: fleet.hub.url, token: fleet.clientToken, account: 'alice', cacheHome: tmp.join('cache') }),
      IMSG_HUB_ANSWER_WITHIN_MS: '2500',
    };
    await using c = openFacadeClient(env);
    expect((await c.imsg.peer.request('chats.list', { limit: 1 })) as unknown).toEqual({ chats: [] }); // linked and answering
    process.kill(fleet.hub.pid!, 'SIGSTOP');
    const pending = c.imsg.peer.request('send', { to: '+14155550123', text: 'exactly once please', service: 'imessage' });
    let answer: unknown;
    try {
      answer = await pending.then(
        (r) => r,
        (e: unknown) => e,
      );
    } finally {
      process.kill(fleet.hub.pid!, 'SIGCONT');
    }
    expect(answer).toBeInstanceOf(RpcError);
    expect((answer as RpcError).toJSON()).toMatchObject({
      code: -32001,
      message: 'Delivery outcome unknown',
      data: { retry_safe: false, disposition: 'may_have_completed', transport: 'applescript', operation: 'send' },
    });
    await waitFor(() => fleet.world.account('alice').countOutgoing('exactly once please') === 1, 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(fleet.world.account('alice').countOutgoing('exactly once please')).toBe(1);
  }, 60_000);
});
