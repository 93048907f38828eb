// Concurrent reads through a real `imsg-sim rpc` (imsg 0.15.10: up to four reads in flight, answers
// in any order): 20,000 messages.history {limit:20} over 50 chats, kept 100 outstanding (under the
// 128 bound), against the same requests one at a time.
import { simFixture } from './sim-helpers.mjs';

const TOTAL = 20_000;

async function drive(f, window, total) {
  let sent = 0;
  let answered = 0;
  let busy = 0;
  let resolveDone;
  const done = new Promise((resolve) => (resolveDone = resolve));
  const next = () => {
    const id = sent++;
    f.child.stdin.write(`{"jsonrpc":"2.0","id":${id},"method":"messages.history","params":{"chat_id":${1 + (id % 50)},"limit":20}}\n`);
  };
  const off = f.onLine((line) => {
    if (line.includes('"code":-32000')) busy++;
    if (++answered === total) resolveDone();
    else if (sent < total) next();
  });
  const t0 = performance.now();
  for (let i = 0; i < Math.min(window, total); i++) next();
  await done;
  off();
  return { seconds: (performance.now() - t0) / 1000, busy };
}

export async function run(report) {
  const f = simFixture({
    seed: (world) => world.injectMany(Array.from({ length: 5_000 }, (_, i) => ({ from: `+1415555${String(1000 + (i % 50))}`, text: `history row ${i}` }))),
  });
  try {
    await f.call('warm', 'messages.history', { chat_id: 1, limit: 20 });
    const concurrent = await drive(f, 100, TOTAL);
    report('sim 0.15: history reads, 100 outstanding', {
      answers: TOTAL,
      seconds: concurrent.seconds,
      answers_per_s: Math.round(TOTAL / concurrent.seconds),
      busy: concurrent.busy,
    });
    const serial = await drive(f, 1, TOTAL / 4);
    report('sim 0.15: history reads, one at a time', { answers: TOTAL / 4, seconds: serial.seconds, answers_per_s: Math.round(TOTAL / 4 / serial.seconds) });
  } finally {
    await f.close();
  }
}
