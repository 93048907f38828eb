import { HubClient } from '@imsg-hub/hub-client';
import { HubError } from '@imsg-hub/hub-protocol';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { agentHello, clientHello, deepJsonText, helloPeer, hubWithLimits, openSocket, row, steadyCaller } from './support/raw-hub.js';

// Issue 10 point 2 (depth and size bounds at every boundary) and malformed frames after hello, at
// the client API and the agent link. Through a real hub process.

describe('bounded frames after hello', () => {
  it('a row nested past the depth limit is refused naming the limit, is never stored, and other agents keep committing', async () => {
    await using tmp = tempDir('harden-deep-');
    await using hub = await hubWithLimits(tmp.path);
    const alice = await helloPeer(hub.url, agentHello(await hub.token('agent', ['alice']), ['alice'], 'poisoner'));
    const bob = await helloPeer(hub.url, agentHello(await hub.token('agent', ['bob']), ['bob'], 'honest'));
    await using client = await HubClient.connect({ url: hub.url, token: await hub.token('client', '*') });

    // 100,000 levels: JSON.stringify of it overflows the stack (today: the whole group commit failed).
    const good = JSON.stringify(row(1));
    const poisoned = good.replace('"is_group":false', `"is_group":false,"x_unknown":${deepJsonText(100_000)}`);
    const frame = (id: number, account: string, rowText: string) =>
      `{"jsonrpc":"2.0","id":${id},"method":"rows","params":{"account":"${account}","epoch":1,"rows":[${rowText}]}}`;
    type Reply = { id: number; error?: { code: number; message: string; data?: { code?: string; limit?: number } } };
    const replies = new Map<number, Reply>();
    alice.socket.on('message', (d) => {
      const m = JSON.parse(String(d)) as Reply;
      replies.set(m.id, m);
    });
    // The poisoner keeps sending while the honest agent sends its batches.
    for (let i = 0; i < 20; i++) alice.socket.send(frame(1000 + i, 'alice', poisoned));
    const acks = await Promise.all([1, 2, 3].map((n) => bob.peer.request('rows', { account: 'bob', epoch: 1, rows: [row(n, `bob ${n}`)] })));
    expect(acks.map((a) => (a as { acked: number }).acked)).toEqual([1, 2, 3]);
    await waitFor(() => replies.size >= 20, 15_000);
    const answer = replies.get(1000)!;
    expect(answer.error).toMatchObject({ code: -32032, data: { code: 'FRAME_TOO_DEEP', limit: 64 } });
    expect(answer.error!.message).toContain('limits.max_json_depth');

    // Within the frame's bound but past the row's own (16 levels of unknown keys): INVALID_PARAMS naming it.
    const err = await alice.peer
      .request('rows', {
        account: 'alice',
        epoch: 1,
        rows: [{ ...row(2), message: { ...row(2).message, x_unknown: JSON.parse(deepJsonText(30)) as unknown } }],
      })
      .catch((e: unknown) => e);
    expect(HubError.from(err)?.hubCode).toBe('INVALID_PARAMS');
    expect((err as Error).message).toMatch(/nests more than 16 levels.*the limit is 16/);
    // The same agent's well-formed rows still go in: the link stays up.
    expect(await alice.peer.request('rows', { account: 'alice', epoch: 1, rows: [row(3, 'alice ok')] })).toMatchObject({ acked: 3 });

    const accounts = (await client.call('accounts.list', {})).accounts;
    expect(accounts.find((a) => a.name === 'bob')?.messages).toBe(3);
    expect(accounts.find((a) => a.name === 'alice')?.messages).toBe(1);
    await alice.peer.close();
    await bob.peer.close();
  }, 60_000);

  for (const side of ['client API', 'agent link'] as const) {
    it(`10,000 malformed frames at the ${side} are answered without a log line each, and another client keeps being answered`, async () => {
      await using tmp = tempDir('harden-garbage-');
      await using hub = await hubWithLimits(tmp.path, {}, 'info');
      const clientToken = await hub.token('client', '*');
      const hello = side === 'agent link' ? agentHello(await hub.token('agent', ['alice']), ['alice']) : clientHello(clientToken);
      const bad = await openSocket(hub.url);
      let answered = 0;
      bad.on('message', () => answered++);
      bad.send(JSON.stringify({ jsonrpc: '2.0', id: 0, method: 'hello', params: { protocol: 1, ...hello } }));
      await waitFor(() => answered === 1);
      await using good = await HubClient.connect({ url: hub.url, token: clientToken });
      const other = steadyCaller(() => good.call('accounts.list', {}), 20);
      const linesBefore = hub.stderrLines;
      const garbage = [
        '{"jsonrpc":"2.0","id":1,"method":',
        '"just a string"',
        '[]',
        `{"jsonrpc":"2.0","id":5,"method":"ping","params":${deepJsonText(200)}}`,
        '{"id":{}}',
      ];
      for (let i = 0; i < 10_000; i++) bad.send(garbage[i % garbage.length]!);
      await waitFor(() => answered >= 10_001, 60_000);
      await other.stop();
      await new Promise((r) => setTimeout(r, 300));
      // Today: a warn line per frame. Now a few per kind per window, then a summary.
      expect(hub.stderrLines - linesBefore).toBeLessThan(40);
      expect(other.failures).toEqual([]);
      expect(other.ok).toBeGreaterThan(0);
      expect(bad.readyState).toBe(bad.OPEN); // after hello, bad frames are answered, not fatal
      bad.close();
    }, 90_000);
  }
});
