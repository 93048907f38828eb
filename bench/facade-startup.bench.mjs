// Issue 5 figure: `imsg-hub rpc` spawn → first `chats.list` answer (what OpenClaw's probe and each
// of its sends pay), median and p95 over 30 spawns against a running hub, beside `node -e 0` on
// the same machine; and the same without the bundle (IMSG_HUB_NO_BUNDLE=1) to show what it buys.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { NdjsonDecoder } from '@imsg-hub/jsonrpc';
import { binPath } from '@imsg-hub/testkit';
import { hubFixture, percentile } from './hub-helpers.mjs';

const SPAWNS = 30;

/** Milliseconds from spawn to the answer of `chats.list {limit:1}` (or to exit, without a request). */
function once(args, env, request) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let answeredAt;
    const decoder = new NdjsonDecoder({
      onLine: (line) => {
        const msg = JSON.parse(line);
        if (msg.id !== 'probe') return;
        if (msg.error) return reject(new Error(`chats.list failed: ${JSON.stringify(msg.error)}`));
        answeredAt = performance.now();
        child.stdin.end();
      },
    });
    child.stdout.on('data', (c) => decoder.push(c));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) return reject(new Error(`exited ${code}`));
      resolve((answeredAt ?? performance.now()) - t0);
    });
    if (request) child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id: 'probe', method: 'chats.list', params: { limit: 1 } }) + '\n');
    else child.stdin.end();
  });
}

async function sample(n, args, env, request) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(await once(args, env, request));
  return out.sort((a, b) => a - b);
}

const figures = (s) => ({ spawns: s.length, median_ms: percentile(s, 50), p95_ms: percentile(s, 95), min_ms: s[0] });

export async function run(report) {
  const f = await hubFixture();
  try {
    const token = await f.hub.token('client', '*', 'bench');
    const env = { ...process.env, IMSG_HUB_URL: f.hub.url, IMSG_HUB_TOKEN: token };
    const rpc = [binPath('imsg-hub'), 'rpc', '--json'];
    await sample(3, rpc, env, true); // warm the page cache
    // Interleaved, so a busy machine weighs on both alike; the ratio of medians is the figure.
    const bare = [];
    const facade = [];
    for (let i = 0; i < SPAWNS; i++) {
      bare.push(...(await sample(1, ['-e', '0'], env, false)));
      facade.push(...(await sample(1, rpc, env, true)));
    }
    bare.sort((a, b) => a - b);
    facade.sort((a, b) => a - b);
    report('node -e 0 (spawn → exit)', figures(bare));
    report('imsg-hub rpc: spawn → chats.list answer', figures(facade));
    report('  ratio to node -e 0 (medians)', { ratio: percentile(facade, 50) / percentile(bare, 50) });
    // The fastest of each: what the facade adds with the least interference from the machine's load.
    report('  ratio to node -e 0 (fastest of each)', { ratio: facade[0] / bare[0] });
    report('  same, unbundled (IMSG_HUB_NO_BUNDLE=1)', figures(await sample(10, rpc, { ...env, IMSG_HUB_NO_BUNDLE: '1' }, true)));
    report('imsg-hub status --json (spawn → exit)', figures(await sample(10, [binPath('imsg-hub'), 'status', '--json'], env, false)));
  } finally {
    await f.close();
  }
}
