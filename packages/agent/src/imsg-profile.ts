import { IMSG_090_METHODS, type ImsgInfo } from '@imsg-hub/hub-protocol';
import type { ImsgClient, StatusResult } from '@imsg-hub/imsg-protocol';
import { JsonRpcErrorCode, RpcError } from '@imsg-hub/jsonrpc';

/**
 * What one running imsg speaks and can do (reference/imsg-protocol-v1.md §1.3–1.7): negotiated
 * with `initialize` when it starts and refreshed with `status` on the watchdog's schedule.
 */
export interface ImsgProfile {
  /** Protocol v1 (imsg 0.14+): status, messages.after, bounded watches, typed delivery errors. */
  readonly v1: boolean;
  readonly info: ImsgInfo;
  /** imsg's own text for why chat.db cannot be read (v1, while `database_ready` is false). */
  readonly databaseError?: string;
}

/** An imsg without `initialize`/`status` (0.9–0.13): reported as 0.9.0 with its fixed methods. */
export const LEGACY_PROFILE: ImsgProfile = {
  v1: false,
  info: { version: '0.9.0', methods: [...IMSG_090_METHODS], database_ready: true, bridge_ready: false },
};

const MAX_METHODS = 200;
const method = (m: string) => m.slice(0, 64);

/** The hub's view of a status/initialize result (ImsgInfoSchema bounds every field). */
export function profileFromStatus(s: StatusResult): ImsgProfile {
  const features = s.capabilities?.features;
  const info: ImsgInfo = {
    version: s.version.slice(0, 64),
    protocol_version: s.protocol_version,
    methods: s.methods.slice(0, MAX_METHODS).map(method),
    supported_methods: s.supported_methods.slice(0, MAX_METHODS).map(method),
    ...(features
      ? {
          features: Object.fromEntries(
            Object.entries(features)
              .slice(0, 100)
              .map(([k, v]) => [k.slice(0, 64), v]),
          ),
        }
      : {}),
    database_ready: s.database.ready,
    bridge_ready: s.bridge.ready,
    ...(s.bridge.error ? { bridge_error: s.bridge.error.slice(0, 500) } : {}),
  };
  return { v1: true, info, ...(!s.database.ready && s.database.error ? { databaseError: s.database.error } : {}) };
}

/**
 * `initialize {protocol_version: 1}`: a status result is imsg 0.14+; `-32601` is an older imsg
 * that is otherwise working (0.9's startup-error mode answers every method, unknown ones too, with
 * -32603, which is thrown like any other failure).
 */
export async function negotiate(client: ImsgClient, timeoutMs: number): Promise<ImsgProfile> {
  try {
    return profileFromStatus(await client.initialize(timeoutMs));
  } catch (err) {
    if (err instanceof RpcError && err.code === JsonRpcErrorCode.MethodNotFound) return LEGACY_PROFILE;
    throw err;
  }
}

/**
 * Whether text sends go through `send.tracked` (caller-chosen guid, resolvable by
 * `message.send_status`): usable now, or only waiting for chat.db (then a tracked send waits for
 * the database rather than leave through an untracked path).
 */
export function tracksSends(profile: ImsgProfile): boolean {
  const { info } = profile;
  if (!profile.v1 || !(info.supported_methods ?? []).includes('message.send_status')) return false;
  if (info.methods.includes('send.tracked')) return true;
  return !info.database_ready && info.bridge_ready && (info.supported_methods ?? []).includes('send.tracked');
}

/** Two profiles say the same thing to the hub. */
export function sameInfo(a: ImsgProfile | undefined, b: ImsgProfile | undefined): boolean {
  return JSON.stringify(a?.info) === JSON.stringify(b?.info) && a?.databaseError === b?.databaseError;
}
