import { IMSG_PROTOCOL_VERSION, imsgError, StrictParams } from '@imsg-hub/imsg-protocol';
import type { FacadeCapabilities } from '../facade-capabilities.js';
import type { FacadeContext } from '../facade-context.js';
import { Deadline } from '../request-clock.js';
import { statusSnapshot } from '../status-v1.js';
import type { V1Handler } from './v1-handler.js';

/** The longest `status` waits for the hub before describing it as unreachable (a probe must not hang). */
const STATUS_WAIT_MS = 2000;

/** What the facade can do now; a hub that does not answer soon is reported, not waited for. */
export async function currentCapabilities(ctx: FacadeContext, deadline: Deadline): Promise<FacadeCapabilities> {
  const soon = new Deadline(Math.min(deadline.at, Date.now() + STATUS_WAIT_MS));
  try {
    const client = await ctx.link.client(soon);
    return await soon.race(ctx.capabilities.read(client), 'asking the hub what its accounts can do');
  } catch (err) {
    return ctx.capabilities.unreachable((err as Error).message);
  }
}

async function snapshot(ctx: FacadeContext, deadline: Deadline) {
  return statusSnapshot(await currentCapabilities(ctx, deadline), { hubUrl: ctx.options.hubUrl, account: ctx.options.account });
}

/** `initialize {protocol_version?}` (§1.3): stateless, idempotent, the same snapshot as `status`. */
export const initialize: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'initialize', ['protocol_version']);
  const requested = params.integer('protocol_version');
  if (requested !== undefined && requested !== IMSG_PROTOCOL_VERSION) {
    throw imsgError.invalidParams(`unsupported protocol_version ${requested}; supported version is ${IMSG_PROTOCOL_VERSION}`);
  }
  return snapshot(ctx, deadline);
};

/** `status {}` (§3.1): answered even while the hub is down (`database.ready:false`). */
export const status: V1Handler = async (ctx, call, deadline) => {
  new StrictParams(call.params, 'status', []);
  return snapshot(ctx, deadline);
};
