import { z } from 'zod';
import type { SshSourceOptions } from './ssh-source.js';

const HOST_KEY_HINT = 'expected a known_hosts line or SHA256:<base64> fingerprint';
const FINGERPRINT = /^SHA256:[A-Za-z0-9+/]{43}=?$/;
const KEY_LINE = /(^|\s)(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+)\s+[A-Za-z0-9+/]+={0,3}(\s|$)/;
const path = z.string().min(1);

/** An account's `source` for imsg on a Mac over SSH, host key pinned (config `kind: "ssh"`). */
export const SshSourceConfigSchema = z.strictObject({
  kind: z.literal('ssh'),
  host: z.string().min(1),
  port: z.number().int().min(1).max(65535).optional(),
  user: z.string().min(1),
  private_key_file: path,
  host_key: z.string().refine((s) => FINGERPRINT.test(s.trim()) || KEY_LINE.test(s.trim()), HOST_KEY_HINT),
  remote_command: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  db: path.optional(),
  keepalive_interval_ms: z.number().int().positive().optional(),
  keepalive_count_max: z.number().int().positive().optional(),
  remote_temp_dir: path.optional(),
});
export type SshSourceConfig = z.infer<typeof SshSourceConfigSchema>;

/** The private key path made absolute (the other paths are on the Mac). */
export function resolveSshSourcePaths(source: SshSourceConfig, abs: (path: string) => string): SshSourceConfig {
  return { ...source, private_key_file: abs(source.private_key_file) };
}

/** The SshSource options a config entry asks for. */
export function sshSourceOptions(s: SshSourceConfig): SshSourceOptions {
  return {
    host: s.host,
    user: s.user,
    privateKeyFile: s.private_key_file,
    hostKey: s.host_key,
    ...(s.port !== undefined ? { port: s.port } : {}),
    ...(s.remote_command !== undefined ? { remoteCommand: s.remote_command } : {}),
    ...(s.db !== undefined ? { db: s.db } : {}),
    ...(s.keepalive_interval_ms !== undefined ? { keepaliveIntervalMs: s.keepalive_interval_ms } : {}),
    ...(s.keepalive_count_max !== undefined ? { keepaliveCountMax: s.keepalive_count_max } : {}),
    ...(s.remote_temp_dir !== undefined ? { remoteTempDir: s.remote_temp_dir } : {}),
  };
}
