import { describe, expect, it } from 'vitest';
import { waitFor } from '@imsg-hub/testkit';
import { PeerError } from '@imsg-hub/jsonrpc';
import { Watchdog } from './watchdog.js';

// The watchdog's own judgement, with probes that answer as told (the restarts against real
// misbehaving children are in test/agent/watchdog.test.ts).

describe('Watchdog while sends are in flight', () => {
  const timeout = () => Promise.reject(new PeerError('RPC_TIMEOUT', 'chats.list timed out after 30 ms'));

  it('does not kill an imsg whose probe waits behind sends, and does once the sends are done', async () => {
    let busy = true;
    const stalls: string[] = [];
    const dog = new Watchdog({
      intervalMs: 20,
      stallMs: 40,
      probeTimeoutMs: 30,
      probe: timeout,
      delivered: () => 5,
      onProbe: () => undefined,
      onStall: (reason) => stalls.push(reason),
      busy: () => busy,
    });
    dog.start();
    await new Promise((r) => setTimeout(r, 200)); // several timed-out probes, all while sending
    expect(stalls).toEqual([]);
    busy = false;
    await waitFor(() => stalls.length === 1, 2000);
    expect(stalls[0]).toContain('probe got no answer');
    dog.stop();
  });

  it('judges a lagging watch only while imsg is not sending', async () => {
    let busy = true;
    const stalls: string[] = [];
    const dog = new Watchdog({
      intervalMs: 20,
      stallMs: 60,
      probeTimeoutMs: 30,
      probe: async () => ({ id: 9, guid: 'g', chat_id: 1, created_at: '' }),
      delivered: () => 5, // behind and not moving
      onProbe: () => undefined,
      onStall: (reason) => stalls.push(reason),
      busy: () => busy,
    });
    dog.start();
    await new Promise((r) => setTimeout(r, 200));
    expect(stalls).toEqual([]);
    busy = false;
    await waitFor(() => stalls.length === 1, 2000);
    expect(stalls[0]).toMatch(/watch stalled: imsg has row 9 but the watch delivered only up to 5/);
    dog.stop();
  });
});
