// How many request lines per second `imsg-sim rpc` (imsg 0.9.0, sequential) answers: 20,000 pipelined chats.list {limit:1}.
import { simFixture } from './sim-helpers.mjs';

export async function run(report) {
  const f = simFixture({ args: ['--imsg-version', '0.9.0'] });
  try {
    const total = 20_000;
    let answered = 0;
    const done = new Promise((resolve) =>
      f.onLine(() => {
        if (++answered === total) resolve();
      }),
    );
    // Warm up the child (module load, first query) before timing.
    await new Promise((resolve) => {
      const off = f.onLine(() => {
        off();
        answered = 0;
        resolve();
      });
      f.child.stdin.write('{"jsonrpc":"2.0","id":0,"method":"chats.list","params":{"limit":1}}\n');
    });
    const lines = [];
    for (let i = 1; i <= total; i++) lines.push(`{"jsonrpc":"2.0","id":${i},"method":"chats.list","params":{"limit":1}}`);
    const t0 = performance.now();
    f.child.stdin.write(lines.join('\n') + '\n');
    await done;
    const seconds = (performance.now() - t0) / 1000;
    report('sim 0.9: rpc chats.list {limit:1} pipelined', { requests: total, seconds, lines_per_s: Math.round(total / seconds) });
  } finally {
    await f.close();
  }
}
