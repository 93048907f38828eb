// Loaded by `imsg-hub status` on its own (package subpath `@imsg-hub/facade/status`): no imports,
// so answering OpenClaw's probe costs nothing beyond starting node.

/** Version of the facade (the imsg-hub release). */
export const FACADE_VERSION = '0.1.0';

/** The imsg release the facade plays by default (protocol v1). */
export const IMSG_V1_VERSION = '0.15.10';

/** The older imsg release it can play instead (`--imsg-version 0.9.0`), for clients of that protocol. */
export const IMSG_COMPAT_VERSION = '0.9.0';

/** The imsg versions the facade plays. */
export const IMSG_VERSIONS = [IMSG_V1_VERSION, IMSG_COMPAT_VERSION] as const;
export type ImsgVersion = (typeof IMSG_VERSIONS)[number];

/** Every method `imsg-hub rpc --imsg-version 0.9.0` answers; imsg 0.9's others get -32601. */
export const FACADE_RPC_METHODS = ['chats.list', 'messages.history', 'watch.subscribe', 'watch.unsubscribe', 'send', 'typing', 'read'] as const;

export interface StatusContext {
  hubUrl?: string | undefined;
  account?: string | undefined;
}

/**
 * `status --json` of the facade playing imsg 0.9.0 (reference §1.6): no private-API bridge
 * (`advanced_features` and `v2_ready` false keep a client on the plain path), and the methods answered.
 */
export function facadeStatus(ctx: StatusContext = {}): Record<string, unknown> {
  return {
    version: IMSG_COMPAT_VERSION,
    basic_features: true,
    advanced_features: false,
    typing_indicators: true,
    read_receipts: true,
    sip: 'unknown',
    message: 'imsg-hub facade: Messages through an imsg hub; IMCore bridge features are unavailable',
    bridge_version: null,
    v2_ready: false,
    selectors: {},
    rpc_methods: [...FACADE_RPC_METHODS],
    facade: 'imsg-hub',
    facade_version: FACADE_VERSION,
    ...(ctx.hubUrl ? { hub_url: ctx.hubUrl } : {}),
    ...(ctx.account ? { account: ctx.account } : {}),
  };
}
