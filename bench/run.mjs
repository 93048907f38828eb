// `pnpm bench`: imports every bench/*.bench.mjs in name order; each exports `run(report)`.
// Benches use the built packages (dist) and the built bins; figures go to stdout, never to CI verdicts.
import { readdirSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();

console.log(`# imsg-hub benches · node ${process.version} · ${availableParallelism()} CPUs (${cpus()[0]?.model ?? 'unknown'})`);

/** Prints one line: the bench name and its figures. */
function report(name, figures) {
  const parts = Object.entries(figures).map(([k, v]) => `${k}=${typeof v === 'number' ? +v.toFixed(2) : v}`);
  console.log(`${name.padEnd(40)} ${parts.join('  ')}`);
}

let failed = false;
for (const file of files) {
  try {
    const mod = await import(pathToFileURL(join(here, file)).href);
    await mod.run(report);
  } catch (err) {
    failed = true;
    console.error(`${file} failed:`, err);
  }
}
process.exitCode = failed ? 1 : 0;
