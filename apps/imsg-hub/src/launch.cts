// The first code `imsg-hub` runs (bin/imsg-hub.js), CommonJS so that a spawn of the facade never
// starts node's ESM loader. OpenClaw spawns `rpc`, `status` and imsg's one-shots for every probe,
// send and action: they load the facade's bundle, compiled from V8's code cache the build stored
// beside it (scripts/bundle-facade.mjs); every other command loads the CLI (cli.ts).
import fs = require('node:fs');
import nodeModule = require('node:module');
import path = require('node:path');
import vm = require('node:vm');

const { existsSync, readFileSync, statSync } = fs;
const { join } = path;

/** What the facade entry exports (facade-main.ts). */
interface FacadeMain {
  main(argv: string[]): Promise<void>;
  warm(): Promise<void>;
}

/** imsg's commands, answered by the facade: rpc, status and the one-shots OpenClaw runs as `imsg`. */
const FACADE = new Set([
  'rpc',
  'status',
  'tapback',
  'send-rich',
  'send-attachment',
  'group',
  'launch',
  'chat-name',
  'chat-photo',
  'chat-add-member',
  'chat-remove-member',
  'chat-leave',
  'poll',
]);

/**
 * Whether `argv` (process.argv shape) is a facade command. `edit`/`unsend` are the hub's own
 * commands unless called the imsg way (`--chat <guid>`); `group rename|add|remove|leave|icon` are
 * the hub's own, `group --chat-id <n>` is imsg's one-shot. Playing imsg 0.9.0 (`--imsg-version` or
 * IMSG_HUB_IMSG_VERSION) there are no bridge one-shots, as in that imsg.
 */
function isFacadeCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const sub = argv[2] ?? '';
  const args = argv.slice(3);
  const imsgWay = (sub === 'edit' || sub === 'unsend') && args.some((a) => a === '--chat' || a.startsWith('--chat='));
  const hubGroup = sub === 'group' && ['rename', 'add', 'remove', 'leave', 'icon'].includes(args[0] ?? '');
  const at = args.indexOf('--imsg-version');
  const plays09 = /^0\.9(\.|$)/.test((at >= 0 ? args[at + 1] : undefined) ?? env['IMSG_HUB_IMSG_VERSION'] ?? '');
  const oneShot = sub !== 'rpc' && sub !== 'status';
  return (FACADE.has(sub) || imsgWay) && !hubGroup && !(oneShot && plays09);
}

/** Runs the command `argv` names. */
async function launch(argv: string[]): Promise<void> {
  if (!isFacadeCommand(argv)) return (await import('./cli.js')).runCli(argv);
  return (loadFacadeBundle() ?? (await import('./facade-main.js'))).main(argv);
}

const PROJECTS = ['facade', 'hub-client', 'hub-protocol', 'imsg-protocol', 'jsonrpc'];

/**
 * The facade entry from its bundle when the build made one at least as new as every project it
 * was made from; else undefined (the plain modules serve). The bundle is CommonJS compiled through
 * `vm.Script` with the code cache stored beside it (node 20 has no module compile cache); a cache
 * V8 rejects (another node version) just costs the compile it would have saved.
 */
function loadFacadeBundle(): FacadeMain | undefined {
  const file = join(__dirname, 'facade-main.bundle.cjs');
  if (process.env['IMSG_HUB_NO_BUNDLE'] === '1' || !fresh(file)) return undefined;
  const cache = `${file}.v8cache`;
  return runFacadeBundle(compileFacadeBundle(file, existsSync(cache) ? readFileSync(cache) : undefined), file);
}

/**
 * The bundle compiled as every spawn compiles it (wrapped as node wraps a CommonJS module), from
 * `cachedData` when given. The build's code-cache training (scripts/bundle/train-code-cache.cjs)
 * compiles it here too: V8 accepts a cache only for the very source it was made from.
 */
function compileFacadeBundle(file: string, cachedData?: Buffer): vm.Script {
  return new vm.Script(`(function (exports, require, module, __filename, __dirname) {${readFileSync(file, 'utf8')}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
}

/** Runs the compiled bundle's module code and returns what it exports. */
function runFacadeBundle(script: vm.Script, file: string): FacadeMain {
  const module = { exports: {} as FacadeMain };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, nodeModule.createRequire(file), module, file, path.dirname(file));
  return module.exports;
}

function fresh(bundle: string): boolean {
  if (!existsSync(bundle)) return false;
  const built = statSync(bundle).mtimeMs;
  const sources = [join(__dirname, '.tsbuildinfo'), ...PROJECTS.map((p) => join(__dirname, '..', '..', '..', 'packages', p, 'dist', '.tsbuildinfo'))];
  return sources.every((s) => !existsSync(s) || statSync(s).mtimeMs <= built);
}

export = { compileFacadeBundle, isFacadeCommand, launch, loadFacadeBundle, runFacadeBundle };
