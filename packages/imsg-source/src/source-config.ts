import type { ImsgSource, SourceKinds } from '@imsg-hub/agent';
import { z } from 'zod';
import { LocalSource } from './local-source.js';
import { LocalSourceConfigSchema, localSourceOptions, resolveLocalSourcePaths } from './local-source-config.js';
import { SshSource } from './ssh-source.js';
import { SshSourceConfigSchema, resolveSshSourcePaths, sshSourceOptions } from './ssh-source-config.js';

/** An account's `source` in the agent config: `local` or `ssh`. */
export const SourceConfigSchema = z.discriminatedUnion('kind', [LocalSourceConfigSchema, SshSourceConfigSchema], {
  error: 'expected an object with kind "local" or "ssh"',
});
export type SourceConfig = z.infer<typeof SourceConfigSchema>;

/** The source kinds this package implements, for the agent config (`loadConfigFile`, `parseConfig`). */
export const SOURCE_KINDS: SourceKinds<SourceConfig> = {
  schema: SourceConfigSchema,
  resolvePaths: (source, abs) => (source.kind === 'ssh' ? resolveSshSourcePaths(source, abs) : resolveLocalSourcePaths(source, abs)),
};

/** The source a config entry describes: a local imsg child or imsg over SSH. */
export function createSource(source: SourceConfig): ImsgSource {
  return source.kind === 'ssh' ? new SshSource(sshSourceOptions(source)) : new LocalSource(localSourceOptions(source));
}
