import type { AccountConfig, ImsgSource } from '@imsg-hub/agent';
import { LocalSource, SshSource } from '@imsg-hub/imsg-source';

/** The account's configured source: a local imsg child or imsg over SSH. */
export function sourceFor(account: AccountConfig): ImsgSource {
  const s = account.source;
  if (s.kind === 'local') return new LocalSource({ cliPath: s.cli_path, db: s.db, args: s.args });
  return new SshSource({
    host: s.host,
    port: s.port,
    user: s.user,
    privateKeyFile: s.private_key_file,
    hostKey: s.host_key,
    remoteCommand: s.remote_command,
    db: s.db,
    keepaliveIntervalMs: s.keepalive_interval_ms,
    keepaliveCountMax: s.keepalive_count_max,
    remoteTempDir: s.remote_temp_dir,
  });
}
