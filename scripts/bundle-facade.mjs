// Bundles the entry of `imsg-hub rpc` (apps/imsg-hub/dist/facade-main.js, built by tsc) with
// everything it imports into one CommonJS file, apps/imsg-hub/dist/facade-main.bundle.cjs, plus
// V8's code cache for it (.v8cache). OpenClaw spawns the facade for every probe and every send;
// node resolving and loading a few hundred module files took longer than everything else together
// (bench/facade-startup.bench.mjs). Run by `pnpm build` after tsc; apps/imsg-hub/src/bundle-loader.ts
// loads it, and falls back to the plain modules when it is absent or older than its sources.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { rolldown } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'apps', 'imsg-hub', 'dist');
const output = join(dist, 'facade-main.bundle.cjs');

const bundle = await rolldown({
  input: join(dist, 'facade-main.js'),
  platform: 'node',
  cwd: join(root, 'apps', 'imsg-hub'),
  logLevel: 'warn',
  // ws probes for these optional native speed-ups with require() in a try; they are not installed.
  external: ['bufferutil', 'utf-8-validate'],
});
await bundle.write({ file: output, format: 'cjs', codeSplitting: false, minify: true, sourcemap: false });
await bundle.close();
rmSync(join(dist, 'facade-main.bundle.mjs'), { force: true }); // an earlier build's ESM bundle

// Compile it the way the loader does and keep V8's cache of the result.
const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(output, 'utf8')}\n})`;
writeFileSync(`${output}.v8cache`, new Script(wrapped, { filename: output }).createCachedData());
console.log(`bundled ${output} (${Math.round(statSync(output).size / 1024)} KiB, code cache ${Math.round(statSync(`${output}.v8cache`).size / 1024)} KiB)`);
