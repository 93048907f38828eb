import type { z } from 'zod';

/** Bounds on a field that carries arbitrary JSON. */
export interface JsonFieldBounds {
  /** Objects/arrays nested inside each other, counting the field's own value as level 1. */
  depth: number;
  /** Approximate bytes of its JSON text. */
  bytes?: number;
}

/** Bounds on unknown keys that loose schemas keep (imsg's payloads are additive-only). */
export interface LooseBounds {
  /** Nesting of the whole object, counting the object itself as level 1. */
  depth: number;
  /** Approximate bytes of the JSON text of the keys the schema does not name, together. */
  unknownBytes: number;
}

/** Defaults for the hub's wire types: far above what imsg or the hub produce, far below harm. */
export const FIELD_BOUNDS = {
  /** A message row: imsg's shape nests 3 levels. */
  message: { depth: 16, unknownBytes: 64 * 1024 },
  /** An attachment or reaction inside a message. */
  item: { depth: 8, unknownBytes: 16 * 1024 },
  /** `data` of errors, `params`/results passed through to imsg. */
  free: { depth: 8, bytes: 64 * 1024 },
} as const;

/**
 * Why `value` is over the bounds, or undefined. Iterative (a hostile value cannot overflow the
 * stack) and stops as soon as a bound is passed.
 */
export function jsonBoundsProblem(value: unknown, bounds: JsonFieldBounds): string | undefined {
  const max = bounds.bytes ?? Number.POSITIVE_INFINITY;
  let bytes = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') bytes += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) bytes += 5;
    else if (typeof v === 'object') {
      if (depth > bounds.depth) return `nests more than ${bounds.depth} levels of objects and arrays (the limit is ${bounds.depth})`;
      if (Array.isArray(v)) {
        bytes += 2 + v.length;
        for (const item of v) stack.push([item, depth + 1]);
      } else {
        bytes += 2;
        for (const [k, item] of Object.entries(v as Record<string, unknown>)) {
          bytes += k.length + 4;
          stack.push([item, depth + 1]);
        }
      }
    }
    if (bytes > max) return `is over ${max} bytes (the limit)`;
  }
  return undefined;
}

/** `schema`, refusing values past `bounds` with an issue that names the limit. */
export function boundedJson<T extends z.ZodType>(schema: T, bounds: JsonFieldBounds): T {
  return schema.superRefine((value, ctx) => {
    const problem = jsonBoundsProblem(value, bounds);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });
}

/**
 * A loose object schema whose kept unknown keys are bounded: the whole value's nesting, and the
 * size of the unknown keys together. Known keys have their own schemas.
 */
export function boundedLoose<T extends z.ZodObject>(schema: T, bounds: LooseBounds): T {
  const known = new Set(Object.keys(schema.shape));
  return schema.superRefine((value, ctx) => {
    const problem = jsonBoundsProblem(value, { depth: bounds.depth });
    if (problem) {
      ctx.addIssue({ code: 'custom', message: problem });
      return;
    }
    const unknown: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (!known.has(k)) unknown[k] = v;
    const size = jsonBoundsProblem(unknown, { depth: bounds.depth, bytes: bounds.unknownBytes });
    if (size) ctx.addIssue({ code: 'custom', message: `unknown keys ${size.replace('is over', 'are over')}` });
  });
}
