// A row landing in chat.db → the message event at a hub client, through real imsg-sim (0.15),
// imsg-agent and imsg-hub processes: the sim sees the file change (its watch, `debounce_ms` after
// the event), the agent forwards the row, the hub commits it and fans it out. Default settings,
// then the agent's debounce at imsg's own default (500 ms) and at 0 for comparison.
// Goal: p50 < 60 ms at default settings.
import { setTimeout as sleep } from 'node:timers/promises';
import { agentFixture, percentile } from './agent-helpers.mjs';

const SAMPLES = Number(process.env['BENCH_LATENCY_SAMPLES'] ?? 200);

async function latency(agentConfig) {
  const f = await agentFixture({ agentConfig });
  try {
    f.agent.start();
    const arrived = new Map();
    await f.client.watch({ since: 0 }, (m) => arrived.set(m.text, performance.now()));
    // Warm: the first row also waits for the agent to start and subscribe.
    f.world.inject({ account: 'alice', from: '+14155550999', text: 'warm-up' });
    for (let i = 0; i < 600 && !arrived.has('warm-up'); i++) await sleep(50);
    const ms = [];
    for (let i = 0; i < SAMPLES; i++) {
      const text = `latency ${i}`;
      const t0 = performance.now();
      f.world.inject({ account: 'alice', from: `+1415555${String(1000 + (i % 20))}`, text });
      for (let w = 0; w < 2000 && !arrived.has(text); w++) await sleep(1);
      if (arrived.has(text)) ms.push(arrived.get(text) - t0);
      await sleep(20 + Math.random() * 30);
    }
    ms.sort((a, b) => a - b);
    return { samples: ms.length, p50_ms: percentile(ms, 50), p90_ms: percentile(ms, 90), p99_ms: percentile(ms, 99), max_ms: ms.at(-1) };
  } finally {
    await f.close();
  }
}

export async function run(report) {
  report('agent: chat.db row → hub client, defaults', await latency({}));
  report('  same, debounce_ms 500 (imsg default)', await latency({ debounce_ms: 500 }));
  report('  same, debounce_ms 0', await latency({ debounce_ms: 0 }));
  if (process.env['BENCH_DEBOUNCE'])
    report(`  same, debounce_ms ${process.env['BENCH_DEBOUNCE']}`, await latency({ debounce_ms: Number(process.env['BENCH_DEBOUNCE']) }));
}
