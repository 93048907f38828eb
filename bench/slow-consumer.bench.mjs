// Issue 10 figures: a client that keeps asking and never reads (hub RSS, another client's latency),
// and 10,000 malformed frames at each parser (pre-hello, client API, agent link).
// BENCH_SLOW_S shortens the 60 s slow-consumer run.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { client, connect, fakeAgent, hubFixture, percentile, row, rssMb } from './hub-helpers.mjs';

const SLOW_S = Number(process.env.BENCH_SLOW_S ?? 60);

/** Seeds `n` rows of ~1.5 KB into one chat; returns its hub chat id. */
async function seed(f, n) {
  const agent = await fakeAgent(f.hub.url, await f.hub.token('agent', ['bench']), ['bench']);
  const text = 'x'.repeat(1500);
  for (let i = 0; i < n; i += 500) {
    const rows = Array.from({ length: 500 }, (_, k) => {
      const r = row(i + k + 1, text);
      r.message.chat_id = 1;
      return r;
    });
    await agent.peer.request('rows', { account: 'bench', epoch: 1, rows });
  }
  await agent.peer.close();
}

/** A client calling `method` every `everyMs`, timing each answer, until stopped. */
async function prober(f, method, params, everyMs = 50) {
  const c = await client(f.hub.url, await f.hub.token('client', '*'), () => undefined);
  const times = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t0 = performance.now();
      try {
        await c.peer.request(method, params, { timeoutMs: 30_000 });
        times.push(performance.now() - t0);
      } catch {
        failures++;
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await c.peer.close();
      times.sort((a, b) => a - b);
      return { p50: percentile(times, 50), p99: percentile(times, 99), max: Math.max(...times), calls: times.length, failures };
    },
  };
}

function rssSampler(pid) {
  const start = rssMb(pid);
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 250);
  return {
    start,
    stop() {
      clearInterval(timer);
      return Math.max(peak, rssMb(pid));
    },
  };
}

async function slowConsumer(report) {
  const f = await hubFixture();
  try {
    await seed(f, 2000);
    const chatId = 1;
    const probe = await prober(f, 'messages.history', { chat_id: chatId, limit: 50 });
    const rss = rssSampler(f.hub.pid);
    // The slow client: hello, then never reads again; 10 history(2000) requests a second (~4 MB answers).
    const { socket } = await connect(f.hub.url);
    const token = await f.hub.token('client', '*');
    socket.send(JSON.stringify({ jsonrpc: '2.0', id: 'h', method: 'hello', params: { protocol: 1, role: 'client', token } }));
    await new Promise((r) => socket.once('message', r));
    socket.pause();
    let sent = 0;
    let closedAt;
    const t0 = performance.now();
    socket.once('close', () => (closedAt = (performance.now() - t0) / 1000));
    const flood = setInterval(() => {
      if (socket.readyState === WebSocket.OPEN) {
        socket.send(JSON.stringify({ jsonrpc: '2.0', id: ++sent, method: 'messages.history', params: { chat_id: chatId, limit: 2000 } }));
      }
    }, 100);
    await new Promise((r) => setTimeout(r, SLOW_S * 1000));
    clearInterval(flood);
    const peak = rss.stop();
    const other = await probe.stop();
    socket.resume();
    await new Promise((r) => setTimeout(r, 3000));
    report(`slow consumer ${SLOW_S} s: hub RSS`, { start_mb: rss.start, peak_mb: peak, sent, hub_closed_it_at_s: closedAt ?? 'no' });
    report(`slow consumer ${SLOW_S} s: other client history(50)`, {
      p50_ms: other.p50,
      p99_ms: other.p99,
      max_ms: other.max,
      calls: other.calls,
      failures: other.failures,
    });
    socket.terminate();
  } finally {
    await f.close();
  }
}

/** Runs bench/malformed-flood.mjs in its own process; resolves when it has sent everything. */
function flood(url, where, token = '', account = 'bad') {
  const script = fileURLToPath(new URL('./malformed-flood.mjs', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, url, where, token, account], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`malformed-flood exited ${code}`))));
  });
}

/** The hub's own event-loop delay, max since the last scrape (prom-client resets it on each). */
async function loopLagMaxMs(f) {
  const text = await (await fetch(`${f.hub.httpUrl}metrics`)).text();
  const m = /^imsg_hub_nodejs_eventloop_lag_max_seconds ([\d.e-]+)$/m.exec(text);
  return m ? Number(m[1]) * 1000 : NaN;
}

const ROUNDS = 5;

async function malformed(report, where) {
  const f = await hubFixture();
  try {
    await seed(f, 500);
    const probe = await prober(f, 'messages.history', { chat_id: 1, limit: 50 }, 5);
    const rss = rssSampler(f.hub.pid);
    await loopLagMaxMs(f);
    const t0 = performance.now();
    if (where === 'none') await new Promise((r) => setTimeout(r, 5000)); // control: the same probe, no flood
    for (let round = 0; round < (where === 'none' ? 0 : ROUNDS); round++) {
      const token = where === 'agent link' ? await f.hub.token('agent', [`bad${round}`]) : await f.hub.token('client', '*');
      await flood(f.hub.url, where, token, `bad${round}`);
    }
    const secs = (performance.now() - t0) / 1000;
    const lag = await loopLagMaxMs(f);
    const peak = rss.stop();
    const other = await probe.stop();
    report(where === 'none' ? 'control: no flood, 5 s' : `${ROUNDS} × 10,000 malformed frames, ${where}`, {
      secs,
      rss_peak_mb: peak,
      hub_loop_lag_max_ms: lag,
      other_p50_ms: other.p50,
      other_p99_ms: other.p99,
      other_max_ms: other.max,
      other_calls: other.calls,
      other_failures: other.failures,
    });
  } finally {
    await f.close();
  }
}

export async function run(report) {
  if (SLOW_S > 0) await slowConsumer(report);
  const only = process.env.BENCH_FLOODS?.split(',');
  for (const where of ['none', 'pre-hello', 'client API', 'agent link']) if (!only || only.includes(where)) await malformed(report, where);
}
