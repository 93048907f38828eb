import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { HubClient } from '@imsg-hub/hub-client';
import type { HubMessage } from '@imsg-hub/hub-protocol';
import { binPath, tempDir } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { agentHello, helloPeer, hubWithLimits, row } from './support/raw-hub.js';

// Answers are bounded (limits.max_answer_bytes): a page that would pass the budget ends early with
// `truncated: true`, and paging from the last item gets everything, once. Through a real hub process,
// its client API, and the imsg 0.15 facade (`imsg-hub rpc`) whose `has_more` must not end early.

const ROWS = 300;
const TEXT = 'x'.repeat(2000); // ~2.4 KB per message: 300 of them ≈ 700 KB, far over a 64 KiB budget

describe('hardening: bounded answers', () => {
  it('cuts history, messages.after and search at the budget, and paging loses nothing', async () => {
    await using tmp = tempDir('hard-answers-');
    await using hub = await hubWithLimits(tmp.path, { max_answer_bytes: 64 * 1024 });
    const { peer } = await helloPeer(hub.url, agentHello(await hub.token('agent', ['alice']), ['alice']));
    for (let i = 1; i <= ROWS; i += 100) {
      const rows = Array.from({ length: 100 }, (_, k) => row(i + k, `budget ${i + k} ${TEXT}`));
      await peer.request('rows', { account: 'alice', epoch: 1, after: i - 1, rows });
    }
    const token = await hub.token('client', '*');
    await using client = await HubClient.connect({ url: hub.url, token });
    const [chat] = (await client.call('chats.list', {})).chats;

    const first = await client.call('messages.history', { chat_id: chat!.id, limit: 1000 });
    expect(first.truncated).toBe(true);
    expect(first.messages.length).toBeGreaterThan(0);
    expect(first.messages.length).toBeLessThan(30);
    expect(Buffer.byteLength(JSON.stringify(first))).toBeLessThanOrEqual(64 * 1024);
    const history: HubMessage[] = [...first.messages];
    for (let before = history.at(-1)!.id, more = true; more; ) {
      const page = await client.call('messages.history', { chat_id: chat!.id, limit: 1000, before });
      history.push(...page.messages);
      more = page.truncated === true;
      before = page.messages.at(-1)?.id ?? before;
    }
    expect(new Set(history.map((m) => m.id)).size).toBe(ROWS);

    const after: HubMessage[] = [];
    for (let from = 0, more = true; more; ) {
      const page = await client.call('messages.after', { after: from, limit: 1000 });
      after.push(...page.messages);
      more = page.truncated === true || page.messages.length === 1000;
      from = page.messages.at(-1)?.id ?? from;
    }
    expect(after.map((m) => m.id)).toEqual([...history.map((m) => m.id)].sort((a, b) => a - b));

    const found = await client.call('messages.search', { query: 'budget', limit: 200 });
    expect(found).toMatchObject({ truncated: true, next_before: found.messages.at(-1)!.id });

    // imsg 0.15's messages.after through the facade: has_more stays true until the last page.
    const rpc = spawn(process.execPath, [binPath('imsg-hub'), 'rpc'], { env: { ...process.env, IMSG_HUB_URL: hub.url, IMSG_HUB_TOKEN: token } });
    const lines = createInterface({ input: rpc.stdout! })[Symbol.asyncIterator]();
    const call = async (id: number, method: string, params: Record<string, unknown>) => {
      rpc.stdin!.write(`${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`);
      for (;;) {
        const msg = JSON.parse((await lines.next()).value as string) as { id?: number; result?: unknown; error?: unknown };
        if (msg.id === id) return msg;
      }
    };
    try {
      const seen: number[] = [];
      for (let id = 1, since = 0, more = true; more; id++) {
        const answer = (await call(id, 'messages.after', { since_rowid: since, limit: 500 })) as {
          result: { messages: { id: number }[]; next_rowid: number; has_more: boolean };
        };
        seen.push(...answer.result.messages.map((m) => m.id));
        more = answer.result.has_more;
        since = answer.result.next_rowid;
        expect(id).toBeLessThan(100);
      }
      expect(seen).toEqual(after.map((m) => m.id));
    } finally {
      rpc.stdin!.end();
      rpc.kill();
    }
  }, 60_000);
});
