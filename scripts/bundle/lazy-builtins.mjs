// A rolldown plugin for the facade bundle. Node built-ins ws requires at load but needs only for
// wss:// (https, tls) or compression (zlib): each becomes an object that loads the real module on
// first use, so a plain ws:// hub never compiles them (8-10 ms of every spawn).
const LAZY_BUILTINS = ['https', 'tls', 'zlib', 'fs/promises'];

export const lazyBuiltins = {
  name: 'lazy-builtins',
  resolveId(id, importer) {
    const name = id.startsWith('node:') ? id.slice(5) : id;
    if (!LAZY_BUILTINS.includes(name)) return undefined;
    // The stand-in's own require is of the real module: resolving that to the stand-in too made
    // every use of it recurse until the stack overflowed (any wss:// hub).
    return importer?.startsWith('\0lazy-builtin:') ? { id: `node:${name}`, external: true } : `\0lazy-builtin:${name}`;
  },
  load(id) {
    if (!id.startsWith('\0lazy-builtin:')) return undefined;
    const name = id.slice('\0lazy-builtin:'.length);
    return `let m;\nconst real = () => (m ??= require('node:${name}'));\nmodule.exports = new Proxy({}, { get: (_, k) => real()[k], has: (_, k) => k in real(), ownKeys: () => Reflect.ownKeys(real()), getOwnPropertyDescriptor: (_, k) => Object.getOwnPropertyDescriptor(real(), k) });\n`;
  },
};
