// Issue 15 figures: the PostgreSQL store beside SQLite. A throwaway PostgreSQL server with fsync on
// (durable, like SQLite's synchronous=FULL) on this machine's disk: store ingest alone, durable
// ingest agent → hub → client, hub-added latency at 1,000 msg/s, and the same with two hubs on one
// database (agents split between them, the client on one).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MessageModel } from '@imsg-hub/hub';
import { PostgresStore, SqliteStore } from '@imsg-hub/store/open';
import { postgresAvailable, startPostgres } from '@imsg-hub/testkit';
import { client, fakeAgent, hubFixture, percentile, row } from './hub-helpers.mjs';
import { hubIngest, latency } from './hub-ingest.bench.mjs';

const TOTAL = 20_000;
const BATCH = 100;
const WINDOW = 8;

async function storeIngest(open, total = TOTAL, batch = BATCH) {
  const store = await open();
  const model = await MessageModel.load(store);
  await model.ensureAccount('bench');
  const t0 = performance.now();
  for (let i = 0; i < total; i += batch) await model.commit([{ account: 'bench', epoch: 1, rows: Array.from({ length: batch }, (_, k) => row(i + k + 1)) }]);
  const us = ((performance.now() - t0) * 1000) / total;
  await store.close();
  return us;
}

/**
 * Group commits of one row each on a server with fsync off: what a commit costs besides the disk
 * (its round trips and statements), the part the store adapter controls; and the queries (each one
 * round trip) the hub's model makes per commit, counted on node-postgres' Client.
 */
async function commitOverhead() {
  const fast = await startPostgres({ durable: false });
  const pg = createRequire(new URL('../packages/store/package.json', import.meta.url))('pg');
  const query = pg.Client.prototype.query;
  let queries = 0;
  pg.Client.prototype.query = function (...args) {
    queries++;
    return query.apply(this, args);
  };
  try {
    const url = await fast.createDatabase('overhead');
    const counted = await fast.createDatabase('counted');
    const us = await storeIngest(() => PostgresStore.open(url), 3000, 1);
    const store = await PostgresStore.open(counted);
    const model = await MessageModel.load(store);
    await model.ensureAccount('bench');
    await new Promise((r) => setTimeout(r, 200)); // the listener's connect and catch-up
    queries = 0;
    for (let i = 0; i < 200; i++) await model.commit([{ account: 'bench', epoch: 1, rows: [row(i + 1)] }]);
    const perCommit = queries / 200;
    await store.close();
    return { commits_per_s: 1e6 / us, ms_per_commit: us / 1000, queries_per_commit: perCommit };
  } finally {
    pg.Client.prototype.query = query;
    await fast.close();
  }
}

/** Two hubs on one database: one agent on each (half the rows each), the client on the first. */
async function twoHubIngest(url) {
  const hubs = [await hubFixture({ durability: 'full' }, { url }), await hubFixture({ durability: 'full' }, { url })];
  try {
    let received = 0;
    let done;
    const finished = new Promise((r) => (done = r));
    const c = await client(hubs[0].hub.url, await hubs[0].hub.token('client', '*'), () => ++received === TOTAL && done());
    await c.peer.request('watch.subscribe', { batch: true });
    const agents = [];
    for (const [i, f] of hubs.entries()) agents.push(await fakeAgent(f.hub.url, await f.hub.token('agent', [`b${i}`]), [`b${i}`], `b${i}`));
    const t0 = performance.now();
    await Promise.all(
      agents.map(async (a, i) => {
        let next = 0;
        await Promise.all(
          Array.from({ length: WINDOW / 2 }, async () => {
            while (next < TOTAL / 2) {
              const start = next;
              next += BATCH;
              await a.peer.request('rows', { account: `b${i}`, epoch: 1, rows: Array.from({ length: BATCH }, (_, k) => row(start + k + 1)) });
            }
          }),
        );
      }),
    );
    await finished;
    const rate = TOTAL / ((performance.now() - t0) / 1000);
    for (const a of agents) await a.peer.close();
    await c.peer.close();
    return rate;
  } finally {
    for (const f of hubs) await f.close();
  }
}

/** Two hubs, 20 agents split between them at 1,000 msg/s in all: agent → client latency at a client on hub one. */
async function twoHubLatency(url) {
  const hubs = [await hubFixture({ durability: 'full' }, { url }), await hubFixture({ durability: 'full' }, { url })];
  const AGENTS = 20;
  const HZ = 50;
  const SECONDS = 5;
  try {
    const samples = [];
    const c = await client(hubs[0].hub.url, await hubs[0].hub.token('client', '*'), (m) =>
      samples.push(performance.timeOrigin + performance.now() - Number(m.text)),
    );
    await c.peer.request('watch.subscribe', { batch: true });
    const agents = [];
    for (let i = 0; i < AGENTS; i++) {
      const f = hubs[i % 2];
      agents.push(await fakeAgent(f.hub.url, await f.hub.token('agent', [`l${i}`]), [`l${i}`], `l${i}`));
    }
    const end = Date.now() + SECONDS * 1000;
    await Promise.all(
      agents.map(
        (a, i) =>
          new Promise((resolve) => {
            let n = 0;
            setTimeout(
              () => {
                const timer = setInterval(() => {
                  if (Date.now() >= end) {
                    clearInterval(timer);
                    resolve();
                    return;
                  }
                  const r = row(++n, String(performance.timeOrigin + performance.now()));
                  a.peer.request('rows', { account: `l${i}`, epoch: 1, rows: [r] }).catch(() => undefined);
                }, 1000 / HZ);
              },
              (i * 1000) / HZ / AGENTS,
            );
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    samples.sort((x, y) => x - y);
    for (const a of agents) await a.peer.close();
    await c.peer.close();
    return { rate: samples.length / SECONDS, p50: percentile(samples, 50), p99: percentile(samples, 99) };
  } finally {
    for (const f of hubs) await f.close();
  }
}

export async function run(report) {
  if (!postgresAvailable()) {
    report('postgres', { skipped: 'PostgreSQL not installed (apt-get install postgresql)' });
    return;
  }
  const pg = await startPostgres({ durable: true });
  const dir = mkdtempSync(join(tmpdir(), 'imsg-pg-bench-'));
  try {
    const sqliteUs = await storeIngest(async () => new SqliteStore(join(dir, 'hub.db'), { durability: 'full', backgroundCheckpoint: true }));
    const pgUrl = await pg.createDatabase('store_alone');
    const pgUs = await storeIngest(() => PostgresStore.open(pgUrl));
    report('store ingest alone, durable', { sqlite_rows_per_s: 1e6 / sqliteUs, postgres_rows_per_s: 1e6 / pgUs });
    report('postgres commit overhead, 1 row, no fsync', await commitOverhead());

    const sqlite = await hubIngest('sqlite');
    const postgres = await hubIngest({ url: await pg.createDatabase('hub_ingest') });
    const two = await twoHubIngest(await pg.createDatabase('two_hub_ingest'));
    report('hub ingest agent→hub→client, durable', { sqlite_msgs_per_s: sqlite.rate, postgres_msgs_per_s: postgres.rate, postgres_two_hubs_msgs_per_s: two });

    const latSqlite = await latency('full', 'sqlite');
    const latPg = await latency('full', { url: await pg.createDatabase('latency') });
    report('hub-added latency at 1,000 msg/s, 20 agents', {
      sqlite_p50_ms: latSqlite.hubP50,
      sqlite_p99_ms: latSqlite.hubP99,
      postgres_p50_ms: latPg.hubP50,
      postgres_p99_ms: latPg.hubP99,
    });
    report('agent→client latency at 1,000 msg/s, 20 agents', {
      sqlite_p50_ms: latSqlite.p50,
      sqlite_p99_ms: latSqlite.p99,
      postgres_p50_ms: latPg.p50,
      postgres_p99_ms: latPg.p99,
    });
    const twoLat = await twoHubLatency(await pg.createDatabase('two_hub_latency'));
    report('two hubs on postgres, 1,000 msg/s', { msgs_per_s: twoLat.rate, agent_to_client_p50_ms: twoLat.p50, agent_to_client_p99_ms: twoLat.p99 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await pg.close();
  }
}
