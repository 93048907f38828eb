// The facade bundle's build steps (scripts/bundle-facade.mjs): which module-level values become
// lazily built schemas, that a lazily built schema behaves as the schema itself wherever zod or our
// code uses one, and that the code cache the build trained is one this node accepts.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const load = <T>(path: string): Promise<T> => import(pathToFileURL(join(root, path)).href) as Promise<T>;
const { lazySchemaTransform } = await load<{ lazySchemaTransform(code: string): string | undefined }>('scripts/bundle/lazy-schemas.mjs');
const { lazySchema } = await load<{ lazySchema<T>(build: () => T): T }>('scripts/bundle/lazy-schema-runtime.mjs');

describe('lazySchemaTransform', () => {
  const source = [
    "import { z } from 'zod';",
    "import * as A from './a.js';",
    '// a comment with “non-ASCII” text — before every declaration',
    'export const NameSchema = z.string().min(1);',
    'const hidden = z.boolean().optional();',
    'export const RowSchema = bounded(A.ThingSchema, 4);',
    'export const Fields = { name: NameSchema.optional(), note: z.string() };',
    'export const TABLE = { ping: { params: A.PingSchema, result: A.PingSchema.partial() } };',
    'export const ALL = { ...TABLE };',
    'export const LIMIT = 5;',
    "export const KINDS = ['a', 'b'];",
    'export const OPTIONS = { limit: 5, label: "x" };',
    'export const made = makeThing();',
    'export function helper() { return z.string(); }',
    'let later = z.number();',
  ].join('\n');
  const out = lazySchemaTransform(source) ?? '';
  const wrapped = (name: string) => new RegExp(`const ${name} = /\\* @__PURE__ \\*/ __lazySchema\\(\\(\\) => \\(`).test(out);

  it('builds zod chains, calls named …Schema, and objects holding or spreading them on first use', () => {
    for (const name of ['NameSchema', 'hidden', 'RowSchema', 'Fields', 'TABLE', 'ALL']) expect(wrapped(name), name).toBe(true);
    expect(out).toContain('__lazySchema(() => (z.string().min(1)))');
    expect(out).toContain('__lazySchema(() => ({ name: NameSchema.optional(), note: z.string() }))');
    expect(out.startsWith('import { lazySchema as __lazySchema } from ')).toBe(true);
  });

  it('leaves literals, other calls, functions and non-const bindings as they are', () => {
    for (const name of ['LIMIT', 'KINDS', 'OPTIONS', 'made']) expect(wrapped(name), name).toBe(false);
    expect(out).toContain('export function helper() { return z.string(); }');
    expect(out).toContain('let later = z.number();');
    expect(lazySchemaTransform('export const A = 1;\nexport function f() {}')).toBeUndefined();
  });
});

describe('lazySchema', () => {
  const counted = <T>(build: () => T) => {
    const c = { builds: 0, value: undefined as unknown as T };
    c.value = lazySchema(() => {
      c.builds++;
      return build();
    });
    return c;
  };

  it('builds nothing until first touched, then exactly once', () => {
    const c = counted(() => z.object({ id: z.number().int() }));
    expect(c.builds).toBe(0);
    const outer = z.object({ inner: c.value.optional() });
    expect(c.builds).toBe(1);
    expect(outer.parse({ inner: { id: 1 } })).toEqual({ inner: { id: 1 } });
    expect(c.value.parse({ id: 2 })).toEqual({ id: 2 });
    expect(c.builds).toBe(1);
  });

  it('parses, refuses and reports exactly as the schema it stands for', () => {
    const build = () => z.looseObject({ id: z.number().int(), tags: z.array(z.string()).max(2), kind: z.enum(['a', 'b']).optional() });
    const eager = build();
    const lazy = lazySchema(build);
    for (const input of [{ id: 1, tags: [] }, { id: 1.5, tags: ['x'] }, { id: 1, tags: ['a', 'b', 'c'], extra: true }, { tags: [1], kind: 'c' }, null]) {
      const [e, l] = [eager.safeParse(input), lazy.safeParse(input)];
      expect(l.success).toBe(e.success);
      expect(l.success ? l.data : l.error.issues).toEqual(e.success ? e.data : e.error.issues);
    }
  });

  it('composes wherever a schema does: in shapes, arrays, unions, extend, spread fragments, instanceof', () => {
    const Item = lazySchema(() => z.object({ kind: z.literal('item'), n: z.number() }));
    const Other = lazySchema(() => z.object({ kind: z.literal('other'), s: z.string() }));
    const Fragment = lazySchema(() => ({ note: z.string().optional(), item: Item.optional() }));
    const Thing = z.object({ ...Fragment, items: z.array(Item), any: z.discriminatedUnion('kind', [Item, Other]) });
    expect(Thing.parse({ items: [{ kind: 'item', n: 1 }], any: { kind: 'other', s: 'x' }, note: 'n' })).toEqual({
      items: [{ kind: 'item', n: 1 }],
      any: { kind: 'other', s: 'x' },
      note: 'n',
    });
    expect(Thing.safeParse({ items: [], any: { kind: 'nope' } }).success).toBe(false);
    expect(Item.extend({ extra: z.boolean() }).parse({ kind: 'item', n: 2, extra: true })).toEqual({ kind: 'item', n: 2, extra: true });
    expect(Object.keys(Item.shape)).toEqual(['kind', 'n']);
    expect(Item).toBeInstanceOf(z.ZodObject);
    expect(Object.keys(Fragment)).toEqual(['note', 'item']);
  });
});

describe('the built facade bundle', () => {
  it("has a code cache this node accepts for it (trained by the build's own compile)", async () => {
    const file = join(root, 'apps', 'imsg-hub', 'dist', 'facade-main.bundle.cjs');
    expect(existsSync(`${file}.v8cache`), 'run pnpm build first').toBe(true);
    const { compileFacadeBundle } = await load<{ compileFacadeBundle(file: string, cache?: Buffer): { cachedDataRejected?: boolean } }>(
      'apps/imsg-hub/dist/launch.cjs',
    );
    expect(compileFacadeBundle(file, readFileSync(`${file}.v8cache`)).cachedDataRejected).toBe(false);
    expect(compileFacadeBundle(file, Buffer.from('not a cache')).cachedDataRejected).toBe(true);
  });
});
