import { z } from 'zod';

/**
 * imsg methods the hub passes to an account's imsg as given (after rewriting the chat address to
 * the account's own): declared once here, used by the client API, the agent link and the facade.
 */
export const IMSG_PASSTHROUGH_METHODS = ['typing', 'read', 'handles.check'] as const;
export const ImsgPassthroughMethodSchema = z.enum(IMSG_PASSTHROUGH_METHODS);
export type ImsgPassthroughMethod = z.infer<typeof ImsgPassthroughMethodSchema>;
