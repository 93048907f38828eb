import { SimError } from './errors.js';

/** The imsg releases the simulator can play: 0.9.0 (no handshake) and 0.15.10 (protocol v1). */
export const SIM_IMSG_VERSIONS = ['0.9.0', '0.15.10'] as const;
export type SimImsgVersion = (typeof SIM_IMSG_VERSIONS)[number];

/** What `imsg-sim` plays without `--imsg-version`: today's imsg. */
export const DEFAULT_IMSG_VERSION: SimImsgVersion = '0.15.10';

/** Parses `--imsg-version` (or env IMSG_SIM_IMSG_VERSION); the error lists the choices. */
export function parseImsgVersion(value: string | undefined): SimImsgVersion {
  if (value === undefined || value === '') return DEFAULT_IMSG_VERSION;
  const found = SIM_IMSG_VERSIONS.find((v) => v === value.trim());
  if (!found) throw new SimError('BAD_OPTION', `--imsg-version must be one of ${SIM_IMSG_VERSIONS.join(', ')}, not "${value}"`);
  return found;
}

/** True for the protocol-v1 line (initialize/status, strict params, lanes). */
export function speaksV1(version: SimImsgVersion): boolean {
  return version !== '0.9.0';
}

/** The version to print: env IMSG_VERSION overrides the printed value only, as with imsg. */
export function printedVersion(version: SimImsgVersion, env: NodeJS.ProcessEnv = process.env): string {
  return env['IMSG_VERSION'] || version;
}
