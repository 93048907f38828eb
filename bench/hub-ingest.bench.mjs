// Issue 3 figures: durable ingest agent → hub → client vs a raw ws relay of the same payloads,
// hub-added latency at 1,000 msg/s from 20 agents, and hub RSS with 1,000 idle agent links.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { client, connect, fakeAgent, hubFixture, percentile, row, rssMb } from './hub-helpers.mjs';

const TOTAL = 20_000;
const BATCH = 100;
const WINDOW = Number(process.env.BENCH_WINDOW ?? 8);

/** Durable ingest through a real hub process; `store` as HubProcessOptions.store. */
export async function hubIngest(store) {
  const f = await hubFixture({ durability: 'full' }, store);
  try {
    const agentToken = await f.hub.token('agent', ['bench']);
    const clientToken = await f.hub.token('client', '*');
    let received = 0;
    let done;
    const finished = new Promise((r) => (done = r));
    const c = await client(f.hub.url, clientToken, () => ++received === TOTAL && done());
    await c.peer.request('watch.subscribe', { batch: true });
    const a = await fakeAgent(f.hub.url, agentToken, ['bench']);
    const batches = [];
    for (let i = 0; i < TOTAL; i += BATCH) batches.push(Array.from({ length: BATCH }, (_, k) => row(i + k + 1)));
    const t0 = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: WINDOW }, async () => {
        while (next < batches.length) {
          const rows = batches[next++];
          await a.peer.request('rows', { account: 'bench', epoch: 1, rows });
        }
      }),
    );
    await finished;
    const secs = (performance.now() - t0) / 1000;
    await a.peer.close();
    await c.peer.close();
    return { rate: TOTAL / secs, batches };
  } finally {
    await f.close();
  }
}

const RELAY = `
import { WebSocketServer } from 'ws';
const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, maxPayload: 64 * 1024 * 1024 });
const consumers = new Set();
wss.on('connection', (ws, req) => {
  if (req.url === '/consume') { consumers.add(ws); ws.on('close', () => consumers.delete(ws)); return; }
  ws.on('message', (data) => { for (const c of consumers) c.send(data, { binary: false }); ws.send('{"ack":1}'); });
});
wss.on('listening', () => console.log(wss.address().port));
`;

async function rawRelay(batches) {
  const child = spawn(process.execPath, ['--input-type=module', '-e', RELAY], { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() });
  const port = await new Promise((r) => child.stdout.once('data', (d) => r(Number(String(d).trim()))));
  try {
    const consumer = await connect(`ws://127.0.0.1:${port}/consume`);
    let received = 0;
    let done;
    const finished = new Promise((r) => (done = r));
    consumer.socket.on('message', (data) => {
      received += JSON.parse(String(data)).params.rows.length;
      if (received === TOTAL) done();
    });
    const producer = await connect(`ws://127.0.0.1:${port}/produce`);
    let acked = 0;
    let release;
    producer.socket.on('message', () => {
      acked++;
      release?.();
    });
    const t0 = performance.now();
    let sent = 0;
    for (const rows of batches) {
      while (sent - acked >= WINDOW) await new Promise((r) => (release = r));
      producer.socket.send(JSON.stringify({ jsonrpc: '2.0', id: sent, method: 'rows', params: { account: 'bench', epoch: 1, rows } }));
      sent++;
    }
    await finished;
    const secs = (performance.now() - t0) / 1000;
    producer.socket.close();
    consumer.socket.close();
    return TOTAL / secs;
  } finally {
    child.kill();
  }
}

/** Hub-added latency at 1,000 msg/s from 20 agents; `store` as HubProcessOptions.store. */
export async function latency(durability, store) {
  const f = await hubFixture({ durability }, store);
  const AGENTS = 20;
  const PER_AGENT_HZ = 50; // 20 × 50 = 1,000 msg/s
  const SECONDS = 5;
  try {
    const accounts = Array.from({ length: AGENTS }, (_, i) => `a${i}`);
    const clientToken = await f.hub.token('client', '*');
    const samples = [];
    const c = await client(f.hub.url, clientToken, (m) => samples.push(performance.timeOrigin + performance.now() - Number(m.text)));
    await c.peer.request('watch.subscribe', { batch: true });
    const agents = [];
    for (const name of accounts) agents.push(await fakeAgent(f.hub.url, await f.hub.token('agent', [name]), [name], name));
    let rowid = 0;
    const end = Date.now() + SECONDS * 1000;
    // Each agent sends one row every 20 ms on its own clock, whatever the answers do (open loop).
    await Promise.all(
      agents.map(
        (a, i) =>
          new Promise((resolve) => {
            let n = 0;
            const offset = (i * 1000) / PER_AGENT_HZ / AGENTS;
            setTimeout(() => {
              const timer = setInterval(() => {
                if (Date.now() >= end) {
                  clearInterval(timer);
                  resolve();
                  return;
                }
                const r = row(++rowid, String(performance.timeOrigin + performance.now()));
                r.rowid = ++n;
                a.peer.request('rows', { account: accounts[i], epoch: 1, rows: [r] }).catch(() => undefined);
              }, 1000 / PER_AGENT_HZ);
            }, offset);
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 200));
    samples.sort((x, y) => x - y);
    // The hub's own measure: rows frame in → messages written to the subscriber's socket.
    const metrics = await (await fetch(`${f.hub.httpUrl}metrics`)).text();
    const q = (p) => Number(new RegExp(`^imsg_hub_added_latency_seconds\\{quantile="${p}"\\} (\\S+)$`, 'm').exec(metrics)?.[1]) * 1000;
    for (const a of agents) await a.peer.close();
    await c.peer.close();
    return {
      n: samples.length,
      rate: samples.length / SECONDS,
      p50: percentile(samples, 50),
      p99: percentile(samples, 99),
      hubP50: q('0.5'),
      hubP99: q('0.99'),
    };
  } finally {
    await f.close();
  }
}

async function idleLinks() {
  // 1,000 links from one address with one token: over the default connection caps, raised here.
  const f = await hubFixture({
    durability: 'full',
    ping_interval_ms: 60_000,
    limits: { max_connections: 4096, max_connections_per_address: 2048, max_connections_per_token: 2048 },
  });
  const LINKS = 1000;
  try {
    const names = Array.from({ length: LINKS }, (_, i) => `idle${i}`);
    const token = await f.hub.token('agent', names);
    const before = rssMb(f.hub.pid);
    const links = [];
    for (let i = 0; i < LINKS; i += 50) {
      links.push(...(await Promise.all(names.slice(i, i + 50).map((n) => fakeAgent(f.hub.url, token, [n], n)))));
    }
    await new Promise((r) => setTimeout(r, 1000));
    const after = rssMb(f.hub.pid);
    for (const l of links) l.socket.terminate();
    return { links: links.length, rssBeforeMb: before, rssMb: after };
  } finally {
    await f.close();
  }
}

export async function run(report) {
  const hub = await hubIngest();
  const relay = await rawRelay(hub.batches);
  report('hub ingest agent→hub→client (durable)', { msgs_per_s: hub.rate, raw_ws_relay_msgs_per_s: relay, ratio: hub.rate / relay, goal_ratio: '≥0.5' });
  for (const durability of ['full', 'normal']) {
    const lat = await latency(durability);
    report(`latency at 1,000 msg/s, 20 agents (${durability})`, {
      msgs_per_s: lat.rate,
      hub_added_p50_ms: lat.hubP50,
      hub_added_p99_ms: lat.hubP99,
      goal_p99_ms: '<5',
      agent_to_client_p50_ms: lat.p50,
      agent_to_client_p99_ms: lat.p99,
    });
  }
  const idle = await idleLinks();
  report('hub RSS, idle agent links', { links: idle.links, rss_at_start_mb: idle.rssBeforeMb, rss_mb: idle.rssMb, goal_mb: '<150' });
}
