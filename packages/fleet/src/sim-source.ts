import { binPath } from './bin-path.js';
import type { SshdServer } from './sshd.js';

/**
 * The agent of today speaks imsg 0.9.0 (two chat selectors on group sends, no watch.overflow
 * handling), so the fleet's imsg-sim plays 0.9.0 until the agent is upgraded to 0.15.
 */
const IMSG_VERSION_ARGS = ['--imsg-version', '0.9.0'];

/**
 * An agent config `source` that runs `imsg-sim rpc` on a simulated account's chat.db: as a local
 * child, or — given an sshd — over an SSH exec channel with the server's host key pinned.
 */
export function simSource(db: string, options: { sshd?: SshdServer | undefined; args?: string[] | undefined } = {}): Record<string, unknown> {
  const { sshd, args } = options;
  if (!sshd) return { kind: 'local', cli_path: binPath('imsg-sim'), db, args: [...IMSG_VERSION_ARGS, ...(args ?? [])] };
  return {
    kind: 'ssh',
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    private_key_file: sshd.clientKeyPath,
    host_key: sshd.hostKeyFingerprint,
    // sshd gives a minimal PATH: name node and the simulator by absolute path.
    remote_command: [process.execPath, binPath('imsg-sim'), 'rpc', ...IMSG_VERSION_ARGS],
    db,
  };
}
