// First start of an agent against a 100,000-row chat.db (an ordinary Mac's history): real sim,
// agent and hub processes; the time until the hub has stored every row. imsg 0.15 pages it with
// messages.after (500 per page); imsg 0.9.0 has no pager, so the agent pages its watch
// (a new subscription after every page of 100). Goals: ≥ 10,000 rows/s (0.15), ≥ 2,000 (0.9.0).
import { setTimeout as sleep } from 'node:timers/promises';
import { agentFixture } from './agent-helpers.mjs';

const ROWS = Number(process.env['BENCH_CATCHUP_ROWS'] ?? 100_000);

async function catchUp(imsgVersion) {
  const f = await agentFixture({ rows: ROWS, imsgVersion });
  try {
    const t0 = performance.now();
    f.agent.start();
    let first;
    let stored = 0;
    while (stored < ROWS) {
      await sleep(50);
      stored = await f.stored();
      if (stored > 0 && first === undefined) first = performance.now();
      if (performance.now() - t0 > 600_000) throw new Error(`only ${stored}/${ROWS} stored after 10 minutes`);
    }
    const end = performance.now();
    return {
      rows: stored,
      seconds: (end - t0) / 1000,
      rows_per_s: Math.round(stored / ((end - t0) / 1000)),
      rows_per_s_after_first: Math.round(stored / ((end - (first ?? t0)) / 1000)),
      start_to_first_row_ms: Math.round((first ?? end) - t0),
    };
  } finally {
    await f.close();
  }
}

export async function run(report) {
  report(`agent catch-up 0.15: ${ROWS / 1000}k-row chat.db`, await catchUp(undefined));
  report(`agent catch-up 0.9.0: ${ROWS / 1000}k-row chat.db`, await catchUp('0.9.0'));
}
