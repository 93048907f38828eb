// Bundles the entry of `imsg-hub rpc` (apps/imsg-hub/dist/facade-main.js, built by tsc) with
// everything it imports into one CommonJS file, apps/imsg-hub/dist/facade-main.bundle.cjs, plus
// V8's code cache for it (.v8cache). OpenClaw spawns the facade for every probe and every send;
// node resolving and loading a few hundred module files took longer than everything else together
// (bench/facade-startup.bench.mjs). Run by `pnpm build` after tsc; apps/imsg-hub/src/launch.cts
// loads it, and falls back to the plain modules when it is absent or older than its sources.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';
import { lazyBuiltins } from './bundle/lazy-builtins.mjs';
import { lazySchemas } from './bundle/lazy-schemas.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'apps', 'imsg-hub', 'dist');
const output = join(dist, 'facade-main.bundle.cjs');
const cache = `${output}.v8cache`;

const absent = join(root, 'scripts', 'absent-module.cjs');
const bundle = await rolldown({
  input: join(dist, 'facade-main.js'),
  platform: 'node',
  cwd: join(root, 'apps', 'imsg-hub'),
  logLevel: 'warn',
  plugins: [lazyBuiltins, lazySchemas],
  // ws probes for these optional native speed-ups with require() in a try; they are not installed.
  resolve: { alias: { bufferutil: absent, 'utf-8-validate': absent } },
});
await bundle.write({ file: output, format: 'cjs', codeSplitting: false, minify: true, sourcemap: false });
await bundle.close();
rmSync(join(dist, 'facade-main.bundle.mjs'), { force: true }); // an earlier build's ESM bundle
rmSync(cache, { force: true });

try {
  await trainCodeCache();
} catch (err) {
  // A build must not fail for want of a loopback socket: the cache of the bundle's setup still saves most.
  console.warn(
    `warning: could not train the facade's code cache against a throwaway hub (${err.message}); using a cache of its setup only, so each spawn starts a little slower`,
  );
  await untrainedCodeCache();
}
console.log(`bundled ${output} (${Math.round(statSync(output).size / 1024)} KiB, code cache ${Math.round(statSync(cache).size / 1024)} KiB)`);

/**
 * Makes the code cache: taken after a real run, it holds every function that ran (not only the
 * bundle's top level), so a spawn compiles almost nothing. The run is OpenClaw's probe against a
 * throwaway hub (SQLite in a temp dir, loopback, port 0) started for it.
 */
async function trainCodeCache() {
  const { HubProcess } = await import('@imsg-hub/fleet');
  const dir = mkdtempSync(join(tmpdir(), 'imsg-hub-build-'));
  // None of the builder's own imsg-hub settings (a store URL above all): this hub is throwaway.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('IMSG_')));
  const hub = new HubProcess({ dir, env: { ...env, LOG_LEVEL: 'error' } });
  try {
    await hub.start();
    const token = await hub.token('client', '*', 'code cache training');
    await train({ ...env, IMSG_HUB_URL: hub.url, IMSG_HUB_TOKEN: token, IMSG_HUB_CACHE_DIR: join(dir, 'attachments') });
  } finally {
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the trainer with the probe's `chats.list` on stdin; resolves once it wrote the cache. */
function train(env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(root, 'scripts', 'bundle', 'train-code-cache.cjs'), output, cache], {
      env,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('"id":"probe"')) child.stdin.end();
    });
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && out.includes('"result"')) resolve();
      else reject(new Error(`code cache training ${signal ? `was killed (${signal})` : `exited ${code}`}; its output: ${out.slice(0, 2000)}`));
    });
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', id: 'probe', method: 'chats.list', params: { limit: 1 } })}\n`);
  });
}

/** The fallback: the bundle evaluated and every module loaded (`warm`) in this process, no run. */
async function untrainedCodeCache() {
  const require = createRequire(import.meta.url);
  const launcher = require(join(dist, 'launch.cjs'));
  const script = launcher.compileFacadeBundle(output);
  await launcher.runFacadeBundle(script, output).warm();
  writeFileSync(cache, script.createCachedData());
}
