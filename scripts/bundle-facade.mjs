// Bundles the entry of `imsg-hub rpc` (apps/imsg-hub/dist/facade-main.js, built by tsc) with
// everything it imports into one CommonJS file, apps/imsg-hub/dist/facade-main.bundle.cjs, plus
// V8's code cache for it (.v8cache). OpenClaw spawns the facade for every probe and every send;
// node resolving and loading a few hundred module files took longer than everything else together
// (bench/facade-startup.bench.mjs). Run by `pnpm build` after tsc; apps/imsg-hub/src/bundle-loader.ts
// loads it, and falls back to the plain modules when it is absent or older than its sources.
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { rolldown } from 'rolldown';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'apps', 'imsg-hub', 'dist');
const output = join(dist, 'facade-main.bundle.cjs');

/**
 * Node built-ins ws requires at load but needs only for wss:// (https, tls) or compression (zlib):
 * each becomes an object that loads the real module on first use, so a plain ws:// hub never
 * compiles them (8-10 ms of every spawn).
 */
const LAZY_BUILTINS = ['https', 'tls', 'zlib'];
const lazyBuiltins = {
  name: 'lazy-builtins',
  resolveId(id) {
    const name = id.startsWith('node:') ? id.slice(5) : id;
    return LAZY_BUILTINS.includes(name) ? `\0lazy-builtin:${name}` : undefined;
  },
  load(id) {
    if (!id.startsWith('\0lazy-builtin:')) return undefined;
    const name = id.slice('\0lazy-builtin:'.length);
    return `let m;\nconst real = () => (m ??= require('node:${name}'));\nmodule.exports = new Proxy({}, { get: (_, k) => real()[k], has: (_, k) => k in real(), ownKeys: () => Reflect.ownKeys(real()), getOwnPropertyDescriptor: (_, k) => Object.getOwnPropertyDescriptor(real(), k) });\n`;
  },
};

const absent = join(root, 'scripts', 'absent-module.cjs');
const bundle = await rolldown({
  input: join(dist, 'facade-main.js'),
  platform: 'node',
  cwd: join(root, 'apps', 'imsg-hub'),
  logLevel: 'warn',
  plugins: [lazyBuiltins],
  // ws probes for these optional native speed-ups with require() in a try; they are not installed.
  resolve: { alias: { bufferutil: absent, 'utf-8-validate': absent } },
});
await bundle.write({ file: output, format: 'cjs', codeSplitting: false, minify: true, sourcemap: false });
await bundle.close();
rmSync(join(dist, 'facade-main.bundle.mjs'), { force: true }); // an earlier build's ESM bundle

// Compile it the way the loader does, evaluate it once (module setup: building the zod schemas,
// wiring the commands; no I/O), and keep V8's cache of the result: taken after evaluation it holds
// every function that ran, not only the top level, so a spawn compiles almost nothing.
const wrapped = `(function (exports, require, module, __filename, __dirname) {${readFileSync(output, 'utf8')}\n})`;
const script = new Script(wrapped, { filename: output });
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(output), module, output, dirname(output));
writeFileSync(`${output}.v8cache`, script.createCachedData());
console.log(`bundled ${output} (${Math.round(statSync(output).size / 1024)} KiB, code cache ${Math.round(statSync(`${output}.v8cache`).size / 1024)} KiB)`);
