// Injected row → `message` notification latency through a real `imsg-sim rpc` (debounce_ms 50).
import { setTimeout as sleep } from 'node:timers/promises';
import { percentile, simFixture } from './sim-helpers.mjs';

export async function run(report) {
  const f = simFixture({ args: ['--imsg-version', '0.9.0'] });
  try {
    const arrived = new Map();
    let subscribed;
    const ready = new Promise((resolve) => (subscribed = resolve));
    f.onLine((line) => {
      const msg = JSON.parse(line);
      if (msg.id === 'sub') subscribed();
      if (msg.method === 'message') arrived.get(msg.params.message.text)?.(performance.now());
    });
    f.child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 'sub', method: 'watch.subscribe', params: { debounce_ms: 50 } }) + '\n');
    await ready;
    const samples = [];
    for (let i = 0; i < 200; i++) {
      const text = `latency ${i}`;
      const got = new Promise((resolve) => arrived.set(text, resolve));
      const t0 = performance.now();
      f.world.inject({ from: '+14155550101', text });
      samples.push((await got) - t0);
      arrived.delete(text);
      await sleep(10 + Math.random() * 20);
    }
    samples.sort((a, b) => a - b);
    report('sim 0.9: inject → notification (debounce 50ms)', {
      samples: samples.length,
      p50_ms: percentile(samples, 50),
      p99_ms: percentile(samples, 99),
      max_ms: samples.at(-1),
    });
  } finally {
    await f.close();
  }
}
