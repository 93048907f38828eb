import { z } from 'zod';
import type { LocalSourceOptions } from './local-source.js';

/** An account's `source` for imsg as a child process on this machine (config `kind: "local"`). */
export const LocalSourceConfigSchema = z.strictObject({
  kind: z.literal('local'),
  /** The imsg executable: a bare name is found on PATH. */
  cli_path: z.string().min(1).optional(),
  db: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
});
export type LocalSourceConfig = z.infer<typeof LocalSourceConfigSchema>;

/** Paths made absolute; `cli_path` stays a bare command name (found on PATH) unless it names a path. */
export function resolveLocalSourcePaths(source: LocalSourceConfig, abs: (path: string) => string): LocalSourceConfig {
  const cli = source.cli_path?.includes('/') ? abs(source.cli_path) : source.cli_path;
  return { ...source, ...(cli ? { cli_path: cli } : {}), ...(source.db ? { db: abs(source.db) } : {}) };
}

/** The LocalSource options a config entry asks for. */
export function localSourceOptions(source: LocalSourceConfig): LocalSourceOptions {
  return {
    ...(source.cli_path ? { cliPath: source.cli_path } : {}),
    ...(source.db ? { db: source.db } : {}),
    ...(source.args ? { args: source.args } : {}),
  };
}
