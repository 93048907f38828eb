// messages.after catch-up through a real `imsg-sim rpc` (imsg 0.15.10): page a 100,000-row chat.db
// from since_rowid 0 with limit 500 until has_more is false, persisting next_rowid as a client must.
import { percentile, simFixture } from './sim-helpers.mjs';

const ROWS = 100_000;
const CHATS = 50;

export async function run(report) {
  const f = simFixture({
    seed: (world) =>
      world.injectMany(
        Array.from({ length: ROWS }, (_, i) => ({ from: `+1415555${String(1000 + (i % CHATS))}`, text: `catch-up row ${i} with a little text in it` })),
      ),
  });
  try {
    await f.call('warm', 'messages.after', { since_rowid: 0, limit: 1 });
    let cursor = 0;
    let rows = 0;
    let id = 0;
    const pages = [];
    const t0 = performance.now();
    for (;;) {
      const p0 = performance.now();
      const { result } = await f.call(`p${id++}`, 'messages.after', { since_rowid: cursor, limit: 500 });
      pages.push(performance.now() - p0);
      rows += result.messages.length;
      cursor = result.next_rowid;
      if (!result.has_more) break;
    }
    const seconds = (performance.now() - t0) / 1000;
    pages.sort((a, b) => a - b);
    report('sim 0.15: messages.after paging 100k rows', {
      rows,
      pages: pages.length,
      seconds,
      rows_per_s: Math.round(rows / seconds),
      page_p50_ms: percentile(pages, 50),
      page_p99_ms: percentile(pages, 99),
    });
  } finally {
    await f.close();
  }
}
