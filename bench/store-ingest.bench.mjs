// The ingest path alone: the hub's message model (dedupe, linking, indexes) committing through the
// SQLite store port, before any networking, validation or fan-out (the ceiling under the hub's
// ingest figure). 20,000 rows in 100-row group commits.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MessageModel } from '@imsg-hub/hub';
import { SqliteStore } from '@imsg-hub/store/open';
import { row } from './hub-helpers.mjs';

export async function run(report) {
  const batches = [];
  for (let i = 0; i < 200; i++) batches.push(Array.from({ length: 100 }, (_, k) => row(i * 100 + k + 1)));
  for (const durability of ['full', 'normal']) {
    const dir = mkdtempSync(join(tmpdir(), 'imsg-store-bench-'));
    const store = new SqliteStore(join(dir, 'hub.db'), { durability, backgroundCheckpoint: true });
    const model = await MessageModel.load(store);
    await model.ensureAccount('bench');
    const t0 = performance.now();
    for (const rows of batches) await model.commit([{ account: 'bench', epoch: 1, rows }]);
    const us = ((performance.now() - t0) * 1000) / 20_000;
    await store.close();
    rmSync(dir, { recursive: true, force: true });
    report(`store ingest alone (${durability})`, { rows: 20_000, us_per_row: us, rows_per_s: 1e6 / us });
  }
}
