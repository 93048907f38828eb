import { z } from 'zod';

/** A JSON-RPC id as it appears on the wire. */
export const JsonRpcIdSchema = z.union([z.string(), z.number(), z.null()]);
export type JsonRpcId = z.infer<typeof JsonRpcIdSchema>;

export const ErrorObjectSchema = z.looseObject({
  code: z.number().int(),
  message: z.string(),
  data: z.unknown().optional(),
});
export type ErrorObject = z.infer<typeof ErrorObjectSchema>;

export const RequestSchema = z.looseObject({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.number()]),
  method: z.string().min(1),
  params: z.unknown().optional(),
});
export type JsonRpcRequest = z.infer<typeof RequestSchema>;

export const NotificationSchema = z.looseObject({
  jsonrpc: z.literal('2.0'),
  method: z.string().min(1),
  params: z.unknown().optional(),
});
export type JsonRpcNotification = z.infer<typeof NotificationSchema>;

export const SuccessResponseSchema = z.looseObject({
  jsonrpc: z.literal('2.0').optional(),
  id: JsonRpcIdSchema,
  result: z.unknown(),
});

export const ErrorResponseSchema = z.looseObject({
  jsonrpc: z.literal('2.0').optional(),
  id: JsonRpcIdSchema,
  error: ErrorObjectSchema,
});

/** What one incoming JSON-RPC message turned out to be. */
export type Incoming =
  | { kind: 'request'; id: string | number; method: string; params: unknown }
  | { kind: 'notification'; method: string; params: unknown }
  | { kind: 'result'; id: JsonRpcId; result: unknown }
  | { kind: 'error'; id: JsonRpcId; error: ErrorObject }
  | { kind: 'invalid'; id: JsonRpcId; reason: string };

/** Classifies a parsed JSON value as a JSON-RPC message, naming what is wrong when it is none. */
export function classify(value: unknown): Incoming {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'invalid', id: null, reason: 'message must be a JSON object' };
  }
  const v = value as Record<string, unknown>;
  const rawId = v['id'];
  const id: JsonRpcId = typeof rawId === 'string' || typeof rawId === 'number' ? rawId : null;
  if ('method' in v) {
    if ('id' in v && rawId !== null && rawId !== undefined) {
      const r = RequestSchema.safeParse(v);
      if (!r.success) return { kind: 'invalid', id, reason: describeZod(r.error) };
      return { kind: 'request', id: r.data.id, method: r.data.method, params: r.data.params };
    }
    const n = NotificationSchema.safeParse(v);
    if (!n.success) return { kind: 'invalid', id, reason: describeZod(n.error) };
    return { kind: 'notification', method: n.data.method, params: n.data.params };
  }
  if ('error' in v) {
    const e = ErrorResponseSchema.safeParse(v);
    if (!e.success) return { kind: 'invalid', id, reason: describeZod(e.error) };
    return { kind: 'error', id: e.data.id, error: e.data.error };
  }
  if ('result' in v) {
    const s = SuccessResponseSchema.safeParse(v);
    if (!s.success) return { kind: 'invalid', id, reason: describeZod(s.error) };
    return { kind: 'result', id: s.data.id, result: s.data.result };
  }
  return { kind: 'invalid', id, reason: 'message has neither method, result nor error' };
}

/** One-line description of a zod failure: the path and what was expected. */
export function describeZod(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}
