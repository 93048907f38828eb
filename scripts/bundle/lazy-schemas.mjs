// A rolldown plugin for the facade bundle: every module-level zod schema of our packages is built on
// first use (lazy-schema-runtime.mjs) instead of when its module loads. Only in that bundle: the hub
// and the agent build each schema once for a long life and parse millions of rows through them,
// where a proxy in every parse would cost more than it saves.
import { fileURLToPath } from 'node:url';
import { parseAst } from 'rolldown/parseAst';

const RUNTIME = fileURLToPath(new URL('./lazy-schema-runtime.mjs', import.meta.url));

/** Our packages' compiled modules (packages/<name>/dist/…): not zod's, not ws's. */
const OURS = /[\\/]packages[\\/][^\\/]+[\\/]dist[\\/].*\.js$/;

/** The identifier a call/member chain starts from: `z` of `z.object(…).optional()`. */
function root(e) {
  while (e.type === 'CallExpression' || e.type === 'MemberExpression') e = e.type === 'CallExpression' ? e.callee : e.object;
  return e.type === 'Identifier' ? e.name : undefined;
}

/** Whether a chain goes through a name ending in Schema: `A.PingResultSchema.partial()`. */
function throughSchema(e) {
  while (e.type === 'CallExpression' || e.type === 'MemberExpression') {
    if (e.type === 'MemberExpression' && e.property.type === 'Identifier' && e.property.name.endsWith('Schema')) return true;
    e = e.type === 'CallExpression' ? e.callee : e.object;
  }
  return e.type === 'Identifier' && e.name.endsWith('Schema');
}

/** A zod call chain, or an object literal that holds one or spreads another (a shape fragment, a method table). */
function buildsSchema(e) {
  if (e.type === 'CallExpression') return root(e) === 'z' || throughSchema(e);
  if (e.type === 'ObjectExpression') {
    return e.properties.some((p) => p.type === 'SpreadElement' || (p.type === 'Property' && !p.computed && buildsSchema(p.value)));
  }
  return false;
}

/**
 * The module with each top-level `const` that builds a schema wrapped in `lazySchema(() => …)`
 * (a call whose name ends in Schema, a zod chain, an object literal holding either); undefined when
 * there is none. Functions, literals and every other statement are left as they are.
 */
export function lazySchemaTransform(code) {
  const inits = [];
  for (const node of parseAst(code).body) {
    const decl = node.type === 'ExportNamedDeclaration' ? node.declaration : node;
    if (decl?.type !== 'VariableDeclaration' || decl.kind !== 'const') continue;
    for (const d of decl.declarations) {
      if (d.id.type !== 'Identifier' || !d.init) continue;
      if (buildsSchema(d.init) || (d.id.name.endsWith('Schema') && d.init.type === 'CallExpression')) inits.push(d.init);
    }
  }
  if (inits.length === 0) return undefined;
  let out = `import { lazySchema as __lazySchema } from ${JSON.stringify(RUNTIME)};\n`;
  let at = 0;
  for (const init of inits) {
    out += `${code.slice(at, init.start)}/* @__PURE__ */ __lazySchema(() => (${code.slice(init.start, init.end)}))`;
    at = init.end;
  }
  return out + code.slice(at);
}

export const lazySchemas = {
  name: 'lazy-schemas',
  transform(code, id) {
    if (!OURS.test(id) || !code.includes('Schema')) return undefined;
    return lazySchemaTransform(code);
  },
};
