import { IMSG_PROTOCOL_VERSION, type CliStatus, type StatusResult } from '@imsg-hub/imsg-protocol';
import { ACCOUNT_METHODS, FACADE_V1_METHODS, type FacadeCapabilities } from './facade-capabilities.js';
import { FACADE_VERSION, IMSG_V1_VERSION } from './status.js';

// What `initialize`/`status` (RPC) and `status --json` (CLI) say when the facade plays imsg
// 0.15.10: the truth about the backing accounts (facade-capabilities.ts), in imsg's shapes
// (reference/imsg-protocol-v1.md §1.4–1.8).

export interface StatusContext {
  hubUrl: string;
  account?: string | undefined;
}

/** The database stands for the hub: reads are answered from its store. No read state, polls or schedules. */
const DATABASE_FEATURES = {
  unread_state: false,
  scheduled_messages: false,
  reactions: true,
  reply_context: true,
  routing_metadata: true,
  balloon_payloads: false,
};

const BUILT_AT = '1970-01-01T00:00:00.000Z';

function capabilitiesBlock(caps: FacadeCapabilities) {
  return { engine: { version: IMSG_V1_VERSION, commit: `imsg-hub-${FACADE_VERSION}`, built_at: BUILT_AT }, features: { ...caps.features } };
}

/** The `initialize`/`status` result. */
export function statusSnapshot(caps: FacadeCapabilities, ctx: StatusContext): StatusResult {
  const path = `imsg-hub ${ctx.hubUrl}${ctx.account ? ` (account ${ctx.account})` : ''}`;
  return {
    version: IMSG_V1_VERSION,
    protocol_version: IMSG_PROTOCOL_VERSION,
    database: caps.reachable
      ? { path, ready: true, features: { ...DATABASE_FEATURES } }
      : { path, ready: false, error: caps.unreachable ?? 'the hub is unreachable' },
    bridge: caps.bridgeReady
      ? { ready: true, bridge_version: 2, v2_ready: true, registry_available: true, selectors: { ...caps.selectors } }
      : { ready: false, error: caps.bridgeError ?? 'no IMCore bridge behind this facade' },
    contacts: { available: false },
    methods: [...caps.methods],
    supported_methods: [...FACADE_V1_METHODS],
    capabilities: capabilitiesBlock(caps),
  };
}

/** One line on what the accounts can do, for `message`: OpenClaw shows it when it refuses an action. */
function describe(caps: FacadeCapabilities, ctx: StatusContext): string {
  const where = `imsg-hub at ${ctx.hubUrl}`;
  if (!caps.reachable) return `${where}: ${caps.unreachable ?? 'unreachable'}`;
  const names = caps.accounts.map((a) => a.name).join(', ') || 'no account';
  const scope = ctx.account ? `account ${ctx.account}` : `merged view of ${names}`;
  if (caps.bridgeReady) {
    const actions = caps.methods.filter((m) => ACCOUNT_METHODS.includes(m));
    return `${where} (${scope}): IMCore bridge ready; ${actions.join(', ') || 'no bridge action'} available`;
  }
  return `${where} (${scope}): bridge actions unavailable: ${caps.bridgeError ?? 'unknown reason'}`;
}

/** `status --json` as imsg 0.15 prints it (§1.8), plus the facade's own keys. */
export function cliStatus(caps: FacadeCapabilities, ctx: StatusContext): CliStatus & Record<string, unknown> {
  return {
    version: IMSG_V1_VERSION,
    basic_features: true,
    advanced_features: caps.bridgeReady,
    typing_indicators: caps.methods.includes('typing'),
    read_receipts: caps.methods.includes('read'),
    sip: 'unknown',
    message: describe(caps, ctx),
    bridge_version: caps.bridgeReady ? 2 : 0,
    v2_ready: caps.bridgeReady,
    selectors: { ...caps.selectors },
    rpc_methods: [...caps.methods],
    capabilities: capabilitiesBlock(caps),
    facade: 'imsg-hub',
    facade_version: FACADE_VERSION,
    hub_url: ctx.hubUrl,
    ...(ctx.account ? { account: ctx.account } : {}),
    accounts: caps.accounts.map((a) => ({
      name: a.name,
      connected: a.connected,
      ...(a.info ? { imsg: a.info.version, bridge_ready: a.info.bridge_ready } : {}),
    })),
  };
}
