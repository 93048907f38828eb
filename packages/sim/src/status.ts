import { SIM_RPC_METHODS } from './sim-backend.js';

/** The imsg version the simulator speaks; env IMSG_VERSION overrides, as with imsg. */
export const SIMULATED_IMSG_VERSION = '0.9.0';

export function simVersion(env: NodeJS.ProcessEnv = process.env): string {
  return env['IMSG_VERSION'] || SIMULATED_IMSG_VERSION;
}

/** `imsg status --json` (§1.6): basic features only, no bridge. */
export function statusPayload(env: NodeJS.ProcessEnv = process.env): Record<string, unknown> {
  return {
    version: simVersion(env),
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
