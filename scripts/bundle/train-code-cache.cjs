// Run by bundle-facade.mjs as a child of its own, against a real hub it started: compiles the
// facade bundle exactly as a spawn does (apps/imsg-hub/dist/launch.cjs), loads every module, answers
// OpenClaw's probe (`status --json`, then `rpc` with the requests on stdin) and, as it exits, writes
// V8's code cache of everything that ran to the path given. Later spawns then compile almost none
// of the code on that path: it was a quarter of a spawn's time to its first answer.
// Usage: node train-code-cache.cjs <bundle.cjs> <out.v8cache>
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');

const launcher = require(join(__dirname, '..', '..', 'apps', 'imsg-hub', 'dist', 'launch.cjs'));
const [bundle, out] = process.argv.slice(2);
const script = launcher.compileFacadeBundle(bundle);
const facade = launcher.runFacadeBundle(script, bundle);
process.on('exit', (code) => {
  if (code === 0) writeFileSync(out, script.createCachedData());
});

(async () => {
  await facade.warm();
  await facade.main([process.argv0, 'imsg-hub', 'status', '--json']);
  await facade.main([process.argv0, 'imsg-hub', 'rpc', '--json']); // exits when stdin ends
})().catch((err) => {
  process.stderr.write(`code cache training failed: ${err?.stack ?? err}\n`);
  process.exit(1);
});
