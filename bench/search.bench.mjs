// Issue 13: merged full-text search over 1,000,000 stored messages (three accounts), through the
// hub's message model and the SQLite store: p50/p99 of a page of 50, for common, rare, multi-word,
// prefix and filtered queries.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MessageModel } from '@imsg-hub/hub';
import { SqliteStore } from '@imsg-hub/store/open';
import { percentile } from './hub-helpers.mjs';

const TOTAL = Number(process.env.BENCH_SEARCH_TOTAL ?? 1_000_000);
const BATCH = 500;
const ACCOUNTS = ['alice', 'bob', 'work'];
const WORDS =
  'the a to and of you for it is on that in we are be at this with have dinner budget meeting tomorrow call later ok thanks love photo train coffee weekend project deadline review lunch school game doctor flight hotel'.split(
    ' ',
  );

function text(rng) {
  const n = 3 + Math.floor(rng() * 12);
  const out = [];
  for (let i = 0; i < n; i++) out.push(WORDS[Math.floor(rng() ** 2 * WORDS.length)]);
  if (rng() < 0.0005) out.push('zanzibar');
  return out.join(' ');
}

function rows(account, from, count, rng) {
  return Array.from({ length: count }, (_, k) => {
    const rowid = from + k;
    const contact = `+1415555${String(rowid % 400).padStart(4, '0')}`;
    return {
      rowid,
      message: {
        id: rowid,
        chat_id: rowid % 400,
        guid: `${account}-${rowid}`,
        sender: contact,
        is_from_me: rng() < 0.4,
        text: text(rng),
        created_at: new Date(Date.UTC(2025, 0, 1) + rowid * 30_000).toISOString(),
        attachments: [],
        reactions: [],
        chat_identifier: contact,
        chat_guid: `iMessage;-;${contact}`,
        chat_name: '',
        participants: [contact],
        is_group: false,
      },
    };
  });
}

export async function run(report) {
  const dir = mkdtempSync(join(tmpdir(), 'imsg-search-bench-'));
  const store = new SqliteStore(join(dir, 'hub.db'), { durability: 'normal', backgroundCheckpoint: true });
  try {
    const model = await MessageModel.load(store);
    for (const a of ACCOUNTS) await model.ensureAccount(a);
    let seed = 42; // mulberry32: a small, well-spread PRNG, so runs are repeatable
    const rng = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const t0 = performance.now();
    const per = TOTAL / ACCOUNTS.length;
    for (let from = 1; from <= per; from += BATCH) {
      await model.commit(ACCOUNTS.map((account) => ({ account, epoch: 1, rows: rows(account, from, Math.min(BATCH, per - from + 1), rng) })));
    }
    const loadS = (performance.now() - t0) / 1000;
    const queries = [
      ['common word', { query: 'dinner' }],
      ['rare word', { query: 'zanzibar' }],
      ['two words', { query: 'budget meeting' }],
      ['prefix', { query: 'proj' }],
      ['one account, from me', { query: 'coffee', accounts: ['bob'], fromMe: true }],
      ['page 10 deep', { query: 'lunch', before: 900_000 }],
    ];
    const all = [];
    for (const [name, q] of queries) {
      const times = [];
      let hits = 0;
      for (let i = 0; i < 60; i++) {
        const s = performance.now();
        hits = (await model.search({ accounts: undefined, limit: 50, ...q })).messages.length;
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      all.push(...times);
      report(`search ${TOTAL / 1e6}M: ${name}`, { hits, p50_ms: percentile(times, 50), p99_ms: percentile(times, 99) });
    }
    all.sort((a, b) => a - b);
    report(`search ${TOTAL / 1e6}M: all queries`, {
      messages: TOTAL,
      load_s: loadS,
      p50_ms: percentile(all, 50),
      p99_ms: percentile(all, 99),
      goal_p50_ms: '<50',
    });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
