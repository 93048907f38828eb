import { HubClient } from '@imsg-hub/hub-client';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { agentHello, clientHello, closed, helloPeer, hubWithLimits, openSocket, row, rssMiB, steadyCaller } from './support/raw-hub.js';

// Issue 10 point 1: a client that sends requests and never reads the answers. Bounded behaviour only;
// the figures (RSS over 60 s, the other client's p99) are measured by bench/slow-consumer.bench.mjs.
describe('a client that never reads its answers', () => {
  it('cannot grow the hub without bound, does not stop others being answered, and is closed when it stalls', async () => {
    await using tmp = tempDir('harden-slow-');
    await using hub = await hubWithLimits(tmp.path, { output_stall_ms: 4000 });
    const agentToken = await hub.token('agent', ['alice']);
    const clientToken = await hub.token('client', '*');

    // 2,000 messages of ~1.5 KB in one chat: every history(1000) answer is ~2 MB.
    const agent = await helloPeer(hub.url, agentHello(agentToken, ['alice']));
    const text = 'x'.repeat(1500);
    for (let b = 0; b < 4; b++) {
      await agent.peer.request('rows', { account: 'alice', epoch: 1, rows: Array.from({ length: 500 }, (_, i) => row(b * 500 + i + 1, text)) });
    }
    await using good = await HubClient.connect({ url: hub.url, token: clientToken });
    const chatId = (await good.call('chats.list', {})).chats[0]!.id;
    const baseline = rssMiB(hub.pid!);

    // The slow client: says hello, then stops reading its socket and keeps asking.
    const slow = await openSocket(hub.url);
    slow.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'hello', params: { protocol: 1, ...clientHello(clientToken) } }));
    await new Promise((resolve) => slow.once('message', resolve));
    slow.pause();
    let sent = 0;
    const flood = setInterval(() => {
      if (slow.readyState !== slow.OPEN) return;
      for (let i = 0; i < 5; i++) {
        slow.send(JSON.stringify({ jsonrpc: '2.0', id: ++sent, method: 'messages.history', params: { chat_id: chatId, limit: 1000 } }));
      }
    }, 10);

    const other = steadyCaller(() => good.call('messages.history', { chat_id: chatId, limit: 5 }));
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssMiB(hub.pid!));
    }, 100);
    const slowClosed = closed(slow);
    await new Promise((r) => setTimeout(r, 8000));
    clearInterval(flood);
    clearInterval(sampler);
    await other.stop();

    // Today's hub grew by hundreds of MB here (every answer kept in memory); now output is bounded.
    expect(sent).toBeGreaterThan(1000);
    expect(peak).toBeLessThan(300);
    expect(peak - baseline).toBeLessThan(200);
    expect(other.failures).toEqual([]);
    expect(other.ok).toBeGreaterThan(20);
    // Its output did not drain for output_stall_ms: the hub closed it (4008, logged once).
    slow.resume();
    await waitFor(() => slow.readyState === slow.CLOSED, 15_000);
    expect(await slowClosed).not.toBe(1000);
    expect(hub.stderr).toContain('closing a connection that does not read its output');
    await agent.peer.close();
  }, 90_000);
});
