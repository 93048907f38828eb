// 10,000 random and malformed lines into a real `imsg-sim rpc` playing imsg 0.15: it never crashes,
// every identified request and every framing error gets exactly one answer (answers may come out
// of order; over 128 outstanding they are -32000), notifications never do, and a valid request
// afterwards is answered.
import { expect, test } from 'vitest';
import { SimWorld } from '@imsg-hub/sim';
import { tempDir, waitFor } from '@imsg-hub/testkit';
import { spawnSim } from './conformance/sim-target.js';

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

const METHODS: unknown[] = [
  'initialize',
  'status',
  'chats.list',
  'chats.get',
  'messages.history',
  'messages.after',
  'messages.search',
  'message.send_status',
  'watch.unsubscribe',
  'typing',
  'tapback',
  'handles.check',
  'nope',
  '',
  42,
  null,
  ['x'],
];
const VALUES: unknown[] = [0, -1, 1, 1.5, 1e308, '42', 'a,b', true, null, [], {}, ['x', 1], 'line\u2028sep', '\u{1F600}', 'x'.repeat(300)];
const KEYS = ['chat_id', 'limit', 'to', 'since_rowid', 'query', 'guid', 'address', 'subscription', 'protocol_version', 'chatId', 'unread_only'];

type Case = { line: string | Buffer; answered: boolean; expectCode?: number };

function makeCase(rand: () => number): Case {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)]!;
  const params = () => Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) }, () => [pick(KEYS), pick(VALUES)]));
  switch (Math.floor(rand() * 11)) {
    case 0: {
      const bytes = Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 40) }, () => Math.floor(rand() * 256)).filter((b) => b !== 0x0a));
      return { line: bytes, answered: bytes.toString('utf8').trim() !== '' };
    }
    case 1: {
      const full = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'chats.list', params: { limit: 2 } });
      return { line: full.slice(0, 1 + Math.floor(rand() * (full.length - 2))), answered: true, expectCode: -32700 };
    }
    case 2:
      return { line: pick(['42', '"str"', 'true', 'null', '-0.5e3']), answered: true, expectCode: -32700 };
    case 3:
      return { line: pick(['[]', '[1,2]', '[{"jsonrpc":"2.0","id":1,"method":"chats.list"}]']), answered: true, expectCode: -32600 };
    case 4:
      return { line: pick(['', '   ', '\t', '\r']), answered: false };
    case 5: {
      const method = pick(METHODS);
      const ok = typeof method === 'string' && method !== '';
      return {
        line: JSON.stringify({ jsonrpc: '2.0', id: Math.floor(rand() * 1e6), method, params: params() }),
        answered: true,
        ...(ok ? {} : { expectCode: -32600 }),
      };
    }
    case 6:
      // Bad or missing jsonrpc: a framing error, answered even without an id.
      return { line: JSON.stringify({ jsonrpc: pick(['1.0', 2, null, '2.0 ']), method: 'chats.list' }), answered: true, expectCode: -32600 };
    case 7:
      // Notifications: run or fail, but never answered — unknown methods, bad params, params not an object.
      return {
        line: JSON.stringify({
          jsonrpc: '2.0',
          method: pick(['chats.list', 'nope', 'messages.history', 'typing']),
          ...(rand() < 0.5 ? { params: params() } : { params: pick([[], 3, null]) }),
        }),
        answered: false,
      };
    case 8:
      return { line: JSON.stringify({ jsonrpc: '2.0', id: pick([true, {}, []]), method: 'chats.list' }), answered: true, expectCode: -32600 };
    case 9:
      return { line: JSON.stringify({ jsonrpc: '2.0', id: 'p', method: 'chats.list', params: pick([[], 3, 'x', null]) }), answered: true, expectCode: -32602 };
    default:
      return {
        line: `{"jsonrpc":"2.0","id":"deep","method":"status","params":{"x":${'['.repeat(600)}${']'.repeat(600)}}}`,
        answered: true,
        expectCode: -32700,
      };
  }
}

test('10,000 random and malformed lines (imsg 0.15)', async () => {
  await using dir = tempDir('sim-v1-fuzz-');
  const world = SimWorld.create({ version: 1, accounts: [{ name: 'me', db: 'chat.db', handles: ['me@example.com'] }] }, dir.join('w.json'));
  world.inject({ from: '+14155550101', text: 'seed' });
  world.close();
  await using sim = spawnSim(['rpc', '--db', dir.join('chat.db')]);
  const rand = prng(20261201);
  const cases = Array.from({ length: 10_000 }, () => makeCase(rand));
  const payload = Buffer.concat(cases.flatMap((c) => [Buffer.from(c.line), Buffer.from('\n')]));
  for (let i = 0; i < payload.length; i += 64 * 1024) sim.writeRaw(payload.subarray(i, i + 64 * 1024));

  const expected = cases.filter((c) => c.answered).length;
  const answers = () => sim.lines.filter((l) => l.startsWith('{') && !l.includes('"method":'));
  await waitFor(() => answers().length >= expected, 60_000);
  const final = `final-${Date.now()}`;
  sim.writeJson({ jsonrpc: '2.0', id: final, method: 'chats.list', params: { limit: 1 } });
  const answer = await sim.nextJson<Record<string, any>>((v) => v['id'] === final);
  expect(answer['result']['chats']).toHaveLength(1);
  expect(answers().length).toBe(expected + 1);

  const parsed = answers().map((l) => JSON.parse(l) as Record<string, any>);
  expect(parsed.every((a) => a['jsonrpc'] === '2.0' && 'result' in a !== 'error' in a)).toBe(true);
  const codes = new Set([-32700, -32600, -32601, -32602, -32603, -32000, -32001, -32002, -32003, -32004]);
  for (const a of parsed.filter((x) => 'error' in x)) expect(codes.has(a['error']['code']), JSON.stringify(a)).toBe(true);
  const byCode = (code: number) => parsed.filter((a) => a['error']?.['code'] === code).length;
  const wanted = cases.filter((c) => c.expectCode !== undefined).map((c) => c.expectCode);
  for (const code of [-32700, -32600]) expect(byCode(code)).toBeGreaterThanOrEqual(wanted.filter((c) => c === code).length);
  sim.endInput();
  expect((await sim.exited).code).toBe(0);
}, 90_000);
