import type { ImsgV1Call } from '@imsg-hub/imsg-protocol';
import type { FacadeContext } from '../facade-context.js';
import type { Deadline } from '../request-clock.js';

/** One imsg 0.15 method of the facade: validated params in, imsg's result (or error) out, within `deadline`. */
export type V1Handler = (ctx: FacadeContext, call: ImsgV1Call, deadline: Deadline) => Promise<unknown>;
