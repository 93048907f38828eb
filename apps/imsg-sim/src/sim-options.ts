import { parseBridgeMode, parseImsgVersion, type SimBridgeMode, type SimImsgVersion } from '@imsg-hub/sim';

/** `--imsg-version` (env IMSG_SIM_IMSG_VERSION): which imsg the simulator plays. */
export function imsgVersionOption(flag: string | undefined): SimImsgVersion {
  return parseImsgVersion(flag ?? process.env['IMSG_SIM_IMSG_VERSION']);
}

/** `--bridge ready|absent` (env IMSG_SIM_BRIDGE): whether the simulated IMCore bridge runs. */
export function bridgeOption(flag: string | undefined): SimBridgeMode {
  return parseBridgeMode(flag ?? process.env['IMSG_SIM_BRIDGE']);
}

/**
 * The value of `--imsg-version` anywhere before `--`, for answering `--version` / `-V` the way imsg
 * does (any argv token, CommandRouter.swift) before any subcommand is parsed.
 */
export function scanArgv(argv: readonly string[]): { version: boolean; imsgVersion: string | undefined } {
  const end = argv.indexOf('--');
  const tokens = end >= 0 ? argv.slice(0, end) : argv;
  let imsgVersion: string | undefined;
  tokens.forEach((t, i) => {
    if (t === '--imsg-version') imsgVersion = tokens[i + 1];
    else if (t.startsWith('--imsg-version=')) imsgVersion = t.slice('--imsg-version='.length);
  });
  return { version: tokens.includes('--version') || tokens.includes('-V'), imsgVersion };
}
