// 10,000 random and malformed lines into a real `imsg-sim rpc`: it never crashes, every non-blank
// line gets exactly one answer (imsg's error, or a result when the request was valid and had an id),
// id-less valid requests get none, and a valid request afterwards is answered.
import { expect, test } from 'vitest';
import { SimWorld } from '@imsg-hub/sim';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { IMSG_090_ENV, spawnSim } from './conformance/sim-target.js';

/** Small deterministic PRNG (mulberry32) so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const METHODS: unknown[] = ['chats.list', 'messages.history', 'watch.unsubscribe', 'send', 'typing', 'read', 'tapback', 'nope', '', 42, null, ['x']];
const VALUES: unknown[] = [0, -1, 1e308, 1.2345678901234568e29, '42', 'a,b', true, null, [], {}, 'line\u2028sep', '\u{1F600}', 'x'.repeat(300)];

type Case = { line: string | Buffer; answered: boolean; expectCode?: number };

function makeCase(rand: () => number): Case {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const kind = Math.floor(rand() * 10);
  switch (kind) {
    case 0: {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)).filter((b) => b !== 0x0a));
      return { line: bytes, answered: bytes.toString('utf8').replace(/\r$/, '').trim() !== '' };
    }
    case 1: {
      const full = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chats.list', params: { limit: 2 } });
      return { line: full.slice(0, 1 + Math.floor(rand() * (full.length - 2))), answered: true, expectCode: -32700 };
    }
    case 2:
      return { line: pick(['42', '"str"', 'true', 'null', '-0.5e3', '"\u2028"']), answered: true, expectCode: -32700 };
    case 3:
      return { line: pick(['[]', '[1,2]', '[{"jsonrpc":"2.0","id":1,"method":"chats.list"}]']), answered: true, expectCode: -32600 };
    case 4:
      return { line: pick(['', '   ', '\t', '\r']), answered: false };
    case 5: {
      const method = pick(METHODS);
      const ok = typeof method === 'string' && method !== '';
      return {
        line: JSON.stringify({
          jsonrpc: '2.0',
          id: Math.floor(rand() * 1e6),
          method,
          params: { chat_id: pick(VALUES), limit: pick(VALUES), to: pick(VALUES) },
        }),
        answered: true,
        ...(ok ? {} : { expectCode: -32600 }),
      };
    }
    case 6:
      return { line: JSON.stringify({ jsonrpc: pick(['1.0', 2, null, '2.0 ']), id: 'v', method: 'chats.list' }), answered: true };
    case 7:
      // id-less: chats.list succeeds silently, an unknown method is an error with id null.
      return rand() < 0.5
        ? { line: '{"jsonrpc":"2.0","method":"chats.list","params":{"limit":1}}\r', answered: false }
        : { line: '{"jsonrpc":"2.0","method":"nope"}', answered: true, expectCode: -32601 };
    case 8:
      return { line: JSON.stringify({ id: pick(VALUES), method: 'chats.list', params: pick(VALUES) }), answered: true };
    default:
      return { line: `{"jsonrpc":"2.0","id":"u","method":"messages.history","params":{"chat_id":"x\u2028"}}`, answered: true, expectCode: -32602 };
  }
}

test('10,000 random and malformed lines', async () => {
  await using dir = tempDir('sim-fuzz-');
  const world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'chat.db', handles: ['me@example.com'] }] }, dir.join('w.json'));
  world.inject({ from: '+14155550101', text: 'seed' });
  world.close();
  await using sim = spawnSim(['rpc', '--db', dir.join('chat.db')], IMSG_090_ENV);
  const rand = prng(20260516);
  const cases = Array.from({ length: 10_000 }, () => makeCase(rand));
  const payload = Buffer.concat(cases.flatMap((c) => [Buffer.from(c.line), Buffer.from('\n')]));
  for (let i = 0; i < payload.length; i += 64 * 1024) sim.writeRaw(payload.subarray(i, i + 64 * 1024));

  const expected = cases.filter((c) => c.answered).length;
  const answers = () => sim.lines.filter((l) => l.startsWith('{') && !l.includes('"method":"message"'));
  await waitFor(() => answers().length >= expected, 30_000);
  const final = `final-${Date.now()}`;
  sim.writeJson({ jsonrpc: '2.0', id: final, method: 'chats.list', params: { limit: 1 } });
  const answer = await sim.nextJson<Record<string, any>>((v) => v['id'] === final);
  expect(answer['result']['chats']).toHaveLength(1);
  // Exactly one answer per answered line: nothing extra arrived before the final answer.
  expect(answers().length).toBe(expected + 1);

  const parsed = answers().map((l) => JSON.parse(l) as Record<string, any>);
  expect(parsed.every((a) => a['jsonrpc'] === '2.0' && 'result' in a !== 'error' in a)).toBe(true);
  for (const a of parsed.filter((x) => 'error' in x)) {
    expect([-32700, -32600, -32601, -32602, -32603]).toContain(a['error']['code']);
    expect(typeof a['error']['data']).toBe('string');
  }
  const wantedCodes = cases.filter((c) => c.expectCode !== undefined).map((c) => c.expectCode);
  const byCode = (code: number) => parsed.filter((a) => a['error']?.['code'] === code).length;
  for (const code of [-32700, -32600, -32601, -32602]) {
    expect(byCode(code)).toBeGreaterThanOrEqual(wantedCodes.filter((c) => c === code).length);
  }
  sim.endInput();
  expect((await sim.exited).code).toBe(0);
}, 60_000);
