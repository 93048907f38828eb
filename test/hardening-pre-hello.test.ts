import { HubClient } from '@imsg-hub/hub-client';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { agentHello, closed, hubWithLimits, openSocket, steadyCaller } from './support/raw-hub.js';

// Issue 10 points 7 and 13: what a peer may do before its hello succeeds. Through a real hub process.

/** Sends `frames` on a fresh socket and collects what comes back until it closes (or `ms` pass). */
async function exchange(
  url: string,
  frames: string[],
  ms = 5000,
): Promise<{ replies: { id?: unknown; error?: { code: number } }[]; code: number | undefined }> {
  const socket = await openSocket(url);
  const replies: { id?: unknown; error?: { code: number } }[] = [];
  socket.on('message', (d) => replies.push(JSON.parse(String(d)) as { error?: { code: number } }));
  const done = closed(socket);
  for (const f of frames) socket.send(f);
  const code = await Promise.race([done, new Promise<undefined>((r) => setTimeout(() => r(undefined), ms))]);
  socket.terminate();
  return { replies, code };
}

describe('before hello', () => {
  it('the first bad frame is answered and closes the connection (1008); nothing after it is read', async () => {
    await using tmp = tempDir('harden-prehello-');
    await using hub = await hubWithLimits(tmp.path);
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'ping', params: {} });
    for (const bad of ['{not json', '[1,2]', JSON.stringify({ jsonrpc: '2.0', method: 'rows', params: {} })]) {
      const { replies, code } = await exchange(hub.url, [bad, ping]);
      expect(code).toBe(1008);
      expect(replies.some((r) => r.id === 9)).toBe(false); // the ping after it was never answered
    }
    const { replies } = await exchange(hub.url, ['{not json']);
    expect(replies[0]?.error?.code).toBe(-32700);
  }, 30_000);

  it('more than pre_hello_bytes before hello closes the connection (1009), even within one frame', async () => {
    await using tmp = tempDir('harden-prehello-');
    await using hub = await hubWithLimits(tmp.path, { pre_hello_bytes: 4096 });
    const big = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'hello', params: { protocol: 1, role: 'client', token: 'x', pad: 'p'.repeat(200_000) } });
    const { replies, code } = await exchange(hub.url, [big]);
    expect(code).toBe(1009);
    expect(replies).toEqual([]);
    // Many small valid frames count too: pings alone cannot keep a stranger connected.
    const pings = Array.from({ length: 500 }, (_, i) => JSON.stringify({ jsonrpc: '2.0', id: i, method: 'ping', params: {} }));
    const flood = await exchange(hub.url, pings);
    expect(flood.code).toBe(1009);
    expect(flood.replies.length).toBeLessThan(500);
  }, 30_000);

  it('a connection that does not say hello within hello_timeout_ms is closed', async () => {
    await using tmp = tempDir('harden-prehello-');
    await using hub = await hubWithLimits(tmp.path, { hello_timeout_ms: 500 });
    const socket = await openSocket(hub.url);
    const code = await Promise.race([closed(socket), new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
    expect(code).toBe(1008);
  }, 30_000);

  it('an agent hello refused for scope closes the connection; it no longer answers ping', async () => {
    await using tmp = tempDir('harden-prehello-');
    await using hub = await hubWithLimits(tmp.path);
    const token = await hub.token('agent', ['alice']);
    const hello = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'hello', params: { protocol: 1, ...agentHello(token, ['alice', 'bob']) } });
    const ping = JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'ping', params: {} });
    const socket = await openSocket(hub.url);
    const replies: { id?: unknown; error?: { code: number; data?: { code?: string } } }[] = [];
    socket.on('message', (d) => replies.push(JSON.parse(String(d)) as (typeof replies)[number]));
    const done = closed(socket);
    socket.send(hello);
    await waitFor(() => replies.length >= 1);
    expect(replies[0]).toMatchObject({ id: 1, error: { code: -32004, data: { code: 'TOKEN_SCOPE' } } });
    if (socket.readyState === WebSocket.OPEN) socket.send(ping);
    const code = await Promise.race([done, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
    expect(code).toBe(1008);
    expect(replies.some((r) => r.id === 2)).toBe(false);
  }, 30_000);

  it('10,000 malformed frames from strangers neither flood the log nor stop another client being answered', async () => {
    await using tmp = tempDir('harden-prehello-');
    await using hub = await hubWithLimits(tmp.path, {}, 'info');
    const clientToken = await hub.token('client', '*');
    await using good = await HubClient.connect({ url: hub.url, token: clientToken });
    const other = steadyCaller(() => good.call('accounts.list', {}), 20);
    const linesBefore = hub.stderrLines;
    // 200 strangers, 50 malformed frames each, 10 at a time.
    const garbage = ['{"jsonrpc":"2.0","id":1,"method":', '"just a string"', '[]', 'x'.repeat(100), '{"id":{}}'];
    const frames = Array.from({ length: 50 }, (_, i) => garbage[i % garbage.length]!);
    let closedCount = 0;
    for (let wave = 0; wave < 20; wave++) {
      const results = await Promise.all(Array.from({ length: 10 }, () => exchange(hub.url, frames)));
      closedCount += results.filter((r) => r.code === 1008).length;
    }
    await other.stop();
    // Today: one line per frame (10,000). Now a few per kind per window, and a summary line.
    await new Promise((r) => setTimeout(r, 300));
    expect(hub.stderrLines - linesBefore).toBeLessThan(60);
    expect(other.failures).toEqual([]);
    expect(other.ok).toBeGreaterThan(10);
    expect(closedCount).toBe(200); // each closed at its first bad frame
  }, 120_000);
});
