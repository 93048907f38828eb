// Bundled into the facade by lazy-schemas.mjs: a module-level zod schema (or a shape fragment or
// method table holding some) becomes a stand-in that builds the real value the first time anything
// touches it, and forwards every operation to it from then on. A spawn of `imsg-hub rpc` answers a
// probe with a dozen schemas of the hundreds its modules declare; building them all was a third of
// its start.

/**
 * @template T
 * @param {() => T} build
 * @returns {T}
 */
export function lazySchema(build) {
  let real;
  const value = () => (real ??= build());
  return new Proxy(
    {},
    {
      get: (_, key) => Reflect.get(value(), key),
      set: (_, key, v) => Reflect.set(value(), key, v),
      has: (_, key) => Reflect.has(value(), key),
      ownKeys: () => Reflect.ownKeys(value()),
      // Reported configurable: a proxy may not claim a non-configurable property its target lacks.
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(value(), key);
        return d && { ...d, configurable: true };
      },
      getPrototypeOf: () => Reflect.getPrototypeOf(value()),
      defineProperty: (_, key, d) => Reflect.defineProperty(value(), key, d),
      deleteProperty: (_, key) => Reflect.deleteProperty(value(), key),
    },
  );
}
