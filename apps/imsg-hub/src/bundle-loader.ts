import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

/** What the facade entry exports (facade-main.ts). */
export interface FacadeMain {
  main(argv: string[]): Promise<void>;
}

const PROJECTS = ['facade', 'hub-client', 'hub-protocol', 'imsg-protocol', 'jsonrpc'];

/**
 * The facade entry from its bundle when the build made one that is at least as new as every
 * project it was made from, else the plain modules. The bundle is CommonJS compiled through
 * `vm.Script` with the V8 code cache the build stored beside it (node 20 has no module compile
 * cache); a cache V8 rejects (another node version) just costs the compile it would have saved.
 */
export async function loadFacadeMain(): Promise<FacadeMain> {
  const file = fileURLToPath(new URL('./facade-main.bundle.cjs', import.meta.url));
  if (process.env['IMSG_HUB_NO_BUNDLE'] === '1' || !fresh(file)) return import('./facade-main.js');
  const cache = `${file}.v8cache`;
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, {
    filename: file,
    ...(existsSync(cache) ? { cachedData: readFileSync(cache) } : {}),
  });
  const module = { exports: {} as FacadeMain };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(file), module, file, dirname(file));
  return module.exports;
}

function fresh(bundle: string): boolean {
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  const sources = [new URL('./.tsbuildinfo', import.meta.url), ...PROJECTS.map((p) => new URL(`../../../packages/${p}/dist/.tsbuildinfo`, import.meta.url))];
  return sources.every((s) => !existsSync(s) || statSync(s).mtimeMs <= built);
}
