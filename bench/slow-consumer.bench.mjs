// Issue 10 figures: a client that keeps asking and never reads (hub RSS, another client's latency),
// and 10,000 malformed frames at each parser (pre-hello, client API, agent link).
// BENCH_SLOW_S shortens the 60 s slow-consumer run.
import { performance } from 'node:perf_hooks';
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

/** Sends `frames` on a fresh socket; resolves when the hub closes it (or after 5 s). */
async function stranger(url, frames) {
  const socket = new WebSocket(url);
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const done = new Promise((r) => socket.once('close', r));
  for (const f of frames) socket.send(f);
  await Promise.race([done, new Promise((r) => setTimeout(r, 5000))]);
  socket.terminate();
}

const GARBAGE = ['{"jsonrpc":"2.0","id":1,"method":', '"just a string"', '[]', 'x'.repeat(100), '{"id":{}}'];

async function malformed(report, where) {
  const f = await hubFixture();
  try {
    await seed(f, 500);
    const probe = await prober(f, 'messages.history', { chat_id: 1, limit: 50 }, 10);
    const rss = rssSampler(f.hub.pid);
    const t0 = performance.now();
    if (where === 'pre-hello') {
      // 200 strangers × 50 frames, 10 at a time: each is closed at its first bad frame.
      const frames = Array.from({ length: 50 }, (_, i) => GARBAGE[i % GARBAGE.length]);
      for (let wave = 0; wave < 20; wave++) await Promise.all(Array.from({ length: 10 }, () => stranger(f.hub.url, frames)));
    } else {
      const token = where === 'agent link' ? await f.hub.token('agent', ['bad']) : await f.hub.token('client', '*');
      const hello =
        where === 'agent link'
          ? { protocol: 1, role: 'agent', token, agent: { id: 'bad', version: '0' }, accounts: ['bad'] }
          : { protocol: 1, role: 'client', token };
      const { socket } = await connect(f.hub.url);
      let answered = 0;
      socket.on('message', () => answered++);
      socket.send(JSON.stringify({ jsonrpc: '2.0', id: 'h', method: 'hello', params: hello }));
      for (let i = 0; i < 10_000; i++) socket.send(GARBAGE[i % GARBAGE.length]);
      while (answered < 10_001) await new Promise((r) => setTimeout(r, 10));
      socket.terminate();
    }
    const secs = (performance.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 200));
    const peak = rss.stop();
    const other = await probe.stop();
    report(`10,000 malformed frames, ${where}`, {
      secs,
      rss_peak_mb: peak,
      other_p50_ms: other.p50,
      other_p99_ms: other.p99,
      other_failures: other.failures,
    });
  } finally {
    await f.close();
  }
}

export async function run(report) {
  await slowConsumer(report);
  for (const where of ['pre-hello', 'client API', 'agent link']) await malformed(report, where);
}
