import { IMSG_PROTOCOL_VERSION, IMSG_V1_METHODS, imsgError, StrictParams, usableMethods, type StatusResult } from '@imsg-hub/imsg-protocol';
import { capabilities } from '../status.js';
import type { V1Context, V1Handler } from './v1-context.js';

/** The readiness snapshot `initialize` and `status` share (§1.4); each call retries the database. */
export function statusSnapshot(ctx: V1Context): StatusResult {
  const database = ctx.db.snapshot();
  const readiness = {
    ready: database.ready,
    features: database.features,
  };
  return {
    version: ctx.version,
    protocol_version: IMSG_PROTOCOL_VERSION,
    database: { ...database },
    bridge: ctx.bridge.status(),
    contacts: { available: false },
    methods: usableMethods(readiness, ctx.bridge.readiness()),
    supported_methods: [...IMSG_V1_METHODS],
    capabilities: capabilities(ctx.version, ctx.bridge),
  };
}

export const initialize: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'initialize', ['protocol_version']);
  const requested = params.integer('protocol_version');
  if (requested !== undefined && requested !== IMSG_PROTOCOL_VERSION) {
    throw imsgError.invalidParams(`unsupported protocol_version ${requested}; supported version is ${IMSG_PROTOCOL_VERSION}`);
  }
  return statusSnapshot(ctx);
};

export const status: V1Handler = (ctx, call) => {
  new StrictParams(call.params, 'status', []);
  return statusSnapshot(ctx);
};
