import { dirname, join } from 'node:path';
import { binPath } from './bin-path.js';
import type { SshdServer } from './sshd.js';

/** The imsg releases imsg-sim plays (its `--imsg-version`); the default is today's, 0.15.10. */
export type SimImsgVersion = '0.15.10' | '0.9.0';

export interface SimSourceOptions {
  sshd?: SshdServer | undefined;
  /** Extra arguments for `imsg-sim rpc` (local sources). */
  args?: string[] | undefined;
  /** Which imsg the simulator plays (default: imsg-sim's own default, 0.15.10). */
  imsgVersion?: SimImsgVersion | undefined;
}

/**
 * An agent config `source` that runs `imsg-sim rpc` on a simulated account's chat.db: as a local
 * child, or — given an sshd — over an SSH exec channel with the server's host key pinned.
 */
export function simSource(db: string, options: SimSourceOptions = {}): Record<string, unknown> {
  const { sshd, args } = options;
  const version = options.imsgVersion ? ['--imsg-version', options.imsgVersion] : [];
  if (!sshd) return { kind: 'local', cli_path: binPath('imsg-sim'), db, args: [...version, ...(args ?? [])] };
  return {
    kind: 'ssh',
    host: sshd.host,
    port: sshd.port,
    user: sshd.user,
    private_key_file: sshd.clientKeyPath,
    host_key: sshd.hostKeyFingerprint,
    // sshd gives a minimal PATH: name node and the simulator by absolute path.
    remote_command: [process.execPath, binPath('imsg-sim'), 'rpc', ...version, ...(args ?? [])],
    db,
  };
}

/**
 * Where imsg-sim keeps a simulated account's files: `Attachments` beside its chat.db, as Messages
 * does in ~/Library/Messages. An agent account over the simulator sets it as `attachments_root`.
 */
export function simAttachmentsRoot(db: string): string {
  return join(dirname(db), 'Attachments');
}
