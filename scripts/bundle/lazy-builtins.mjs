// A rolldown plugin for the facade bundle. Node built-ins ws requires at load but needs only for
// wss:// (https, tls) or compression (zlib): each becomes an object that loads the real module on
// first use, so a plain ws:// hub never compiles them (8-10 ms of every spawn).
const LAZY_BUILTINS = ['https', 'tls', 'zlib'];

export const lazyBuiltins = {
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
