import { z } from 'zod';
import { AccountResumeSchema } from './agent-methods.js';
import { AccountNameSchema } from './ids.js';

// `hello`: the first call on every connection, carrying the protocol version and the token.

export const AgentHelloParamsSchema = z.object({
  protocol: z.number().int(),
  role: z.literal('agent'),
  token: z.string().min(1).max(512),
  agent: z.object({
    id: z.string().min(1).max(128),
    version: z.string().max(64),
    host: z.string().max(256).optional(),
  }),
  accounts: z.array(AccountNameSchema).min(1).max(64),
});
export type AgentHelloParams = z.infer<typeof AgentHelloParamsSchema>;

export const AgentHelloResultSchema = z.object({
  protocol: z.number().int(),
  hub_version: z.string(),
  session: z.string(),
  accounts: z.array(AccountResumeSchema),
  max_frame_bytes: z.number().int(),
  ping_interval_ms: z.number().int(),
  max_file_bytes: z.number().int(),
});
export type AgentHelloResult = z.infer<typeof AgentHelloResultSchema>;

export const ClientHelloParamsSchema = z.object({
  protocol: z.number().int(),
  role: z.literal('client'),
  token: z.string().min(1).max(512),
  client: z.object({ name: z.string().max(128), version: z.string().max(64).optional() }).optional(),
});
export type ClientHelloParams = z.infer<typeof ClientHelloParamsSchema>;

export const ClientHelloResultSchema = z.object({
  protocol: z.number().int(),
  hub_version: z.string(),
  session: z.string(),
  /** Accounts this token may see and act for. */
  accounts: z.array(z.string()),
  /** Highest hub sequence stored now. */
  seq: z.number().int().nonnegative(),
  max_frame_bytes: z.number().int(),
  max_file_bytes: z.number().int(),
});
export type ClientHelloResult = z.infer<typeof ClientHelloResultSchema>;

/** Peeks at the role of a hello before full validation (to pick the right schema). */
export const HelloRoleSchema = z.object({ role: z.enum(['agent', 'client']) }).loose();
