import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { facadeEnv, openFacadeClient } from './conformance/facade-process.js';
import { startFleet } from './support/fleet.js';

// A send the hub took but could not confirm in time is answered `queued`, not an error: an error
// would make the client send again (a new request), and the message would go out twice.
describe('facade send past its answer budget', () => {
  it('answers {ok:true, queued:true} when the hub stalls mid-send, and the message goes out once', async () => {
    await using tmp = tempDir('facade-deadline-');
    await using fleet = await startFleet({ dir: tmp.path, accounts: [{ name: 'alice', handles: ['alice@example.com'], via: 'local' }] });
    const env = {
      // imsg 0.9.0 has no "outcome unknown" answer: the facade playing it answers `queued`.
      ...facadeEnv({ hubUrl: fleet.hub.url, token: fleet.clientToken, account: 'alice', cacheHome: tmp.join('cache'), imsgVersion: '0.9.0' }),
      IMSG_HUB_ANSWER_WITHIN_MS: '2500',
    };
    await using c = openFacadeClient(env);
    expect((await c.imsg.chatsList(1)).chats).toEqual([]); // linked and answering
    // The hub freezes (a long GC pause, a stuck disk) while the send is in its hands.
    process.kill(fleet.hub.pid!, 'SIGSTOP');
    const started = Date.now();
    const pending = c.imsg.send({ to: '+14155550123', text: 'exactly once please', service: 'imessage' });
    await new Promise((r) => setTimeout(r, 300));
    try {
      expect(await pending).toEqual({ ok: true, queued: true });
      expect(Date.now() - started).toBeLessThan(9000); // within the client's patience
    } finally {
      process.kill(fleet.hub.pid!, 'SIGCONT');
    }
    await waitFor(() => fleet.world.account('alice').countOutgoing('exactly once please') === 1, 20_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(fleet.world.account('alice').countOutgoing('exactly once please')).toBe(1);
  }, 60_000);
});
