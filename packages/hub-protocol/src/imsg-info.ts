import { z } from 'zod';

/**
 * What one account's imsg can do right now, as its agent last read it from imsg's
 * `initialize`/`status` (imsg 0.15; an imsg without them is reported as 0.9.0 with its fixed methods).
 */
export const ImsgInfoSchema = z.object({
  version: z.string().max(64),
  /** imsg's RPC protocol version; absent before imsg 0.14. */
  protocol_version: z.number().int().optional(),
  /** Methods usable now (database and bridge gating applied). */
  methods: z.array(z.string().max(64)).max(200),
  /** Every method compiled into this imsg. */
  supported_methods: z.array(z.string().max(64)).max(200).optional(),
  /** `capabilities.features`: name → contract version (e.g. `tapback.emoji: 2`). */
  features: z.record(z.string().max(64), z.number().int()).optional(),
  database_ready: z.boolean(),
  bridge_ready: z.boolean(),
  /** Why the bridge is not ready, as imsg says it. */
  bridge_error: z.string().max(500).optional(),
});
export type ImsgInfo = z.infer<typeof ImsgInfoSchema>;

/** The methods of imsg 0.9.0, which has no `status`: what an agent reports for it. */
export const IMSG_090_METHODS = ['chats.list', 'messages.history', 'watch.subscribe', 'watch.unsubscribe', 'send', 'typing', 'read'] as const;
