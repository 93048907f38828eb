import { IMSG_V1_METHODS, TAPBACK_EMOJI_FEATURE, TAPBACK_EMOJI_VERSION, type Capabilities, type CliStatus } from '@imsg-hub/imsg-protocol';
import { DEFAULT_IMSG_VERSION, printedVersion, type SimImsgVersion } from './imsg-version.js';
import { SIM_RPC_METHODS } from './sim-backend.js';
import { SimBridge } from './v1/sim-bridge.js';

/** The imsg version the simulator speaks by default. */
export const SIMULATED_IMSG_VERSION = DEFAULT_IMSG_VERSION;

/** `--version` as imsg prints it: the simulated version, env IMSG_VERSION overriding. */
export function simVersion(env: NodeJS.ProcessEnv = process.env, version: SimImsgVersion = DEFAULT_IMSG_VERSION): string {
  return printedVersion(version, env);
}

/** `capabilities` of 0.15.10 (§1.7): build identity, and `tapback.emoji` 2 iff the bridge sends emoji. */
export function capabilities(version: string, bridge: SimBridge): Capabilities {
  const features: Record<string, number> = {};
  if (bridge.selector('emojiTapbackSend')) features[TAPBACK_EMOJI_FEATURE] = TAPBACK_EMOJI_VERSION;
  return { engine: { version, commit: 'unknown', built_at: 'unknown' }, features };
}

/** `imsg status --json` of the chosen version (reference/imsg-protocol-v1.md §1.8; 0.9: §1.6). */
export function statusPayload(env: NodeJS.ProcessEnv = process.env, version: SimImsgVersion = '0.9.0', bridge = new SimBridge('absent')): CliStatus {
  const printed = printedVersion(version, env);
  if (version === '0.9.0') {
    return {
      version: printed,
      basic_features: true,
      advanced_features: false,
      typing_indicators: true,
      read_receipts: true,
      sip: 'enabled',
      message: 'imsg-sim: simulated Messages database; IMCore bridge features are unavailable',
      bridge_version: null,
      v2_ready: false,
      selectors: {},
      rpc_methods: [...SIM_RPC_METHODS],
    };
  }
  const selectors = bridge.ready ? { ...bridge.status().selectors } : {};
  const methods = selectors['clientMessageGuidReservation'] === true ? [...IMSG_V1_METHODS] : IMSG_V1_METHODS.filter((m) => m !== 'send.tracked');
  return {
    version: printed,
    basic_features: true,
    advanced_features: bridge.ready,
    typing_indicators: bridge.ready,
    read_receipts: bridge.ready,
    sip: bridge.ready ? 'disabled' : 'enabled',
    message: bridge.ready ? 'imsg-sim: simulated IMCore bridge connected' : 'imsg-sim: simulated IMCore bridge is not running (--bridge absent)',
    bridge_version: bridge.ready ? 2 : 0,
    v2_ready: bridge.ready,
    ...(bridge.ready ? { helper_version: printed } : {}),
    selectors,
    rpc_methods: methods,
    capabilities: capabilities(printed, bridge),
  };
}
