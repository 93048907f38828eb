import { loadConfigFile, type AgentConfig, type ConfigOverrides } from '@imsg-hub/agent';
import { SOURCE_KINDS, type SourceConfig } from '@imsg-hub/imsg-source';

/** The agent config with imsg-source's `local` and `ssh` sources. */
export type ImsgAgentConfig = AgentConfig<SourceConfig>;

/** Reads and validates the config file, flags and environment winning (the agent core's loader). */
export function loadAgentConfig(file: string, overrides: ConfigOverrides = {}): ImsgAgentConfig {
  return loadConfigFile(file, SOURCE_KINDS, overrides);
}
