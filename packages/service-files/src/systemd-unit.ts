import { isAbsolute } from 'node:path';
import { execLine, quotePath, unitText } from './systemd-escape.js';

/** What a systemd service for `imsg-hub serve` needs; every path absolute. */
export interface SystemdUnitOptions {
  description: string;
  /** argv, no shell: the node binary, the hub's script, then its arguments. */
  execStart: readonly string[];
  /** The account the hub runs as (never root by choice). */
  user: string;
  /** The only places the service may write (the hub's data_dir). */
  readWritePaths: readonly string[];
}

/** A user name or uid as `User=` takes it; nothing that could end the line or add a key. */
const USER_RE = /^(?:[A-Za-z_][A-Za-z0-9_.-]{0,31}\$?|\d{1,10})$/;

/**
 * The unit file: restarts on failure, and runs sandboxed (read-only system and home, private /tmp
 * and devices, no privilege gain) with write access to the data dir alone.
 */
export function systemdUnit(options: SystemdUnitOptions): string {
  const [program] = options.execStart;
  if (!program || !isAbsolute(program)) throw new TypeError('ExecStart must start with an absolute path (systemd runs no shell)');
  if (!USER_RE.test(options.user)) throw new TypeError(`${JSON.stringify(options.user)} is not a user name or uid`);
  for (const p of options.readWritePaths) if (!isAbsolute(p)) throw new TypeError(`ReadWritePaths: ${p} is not an absolute path`);
  const lines = [
    '[Unit]',
    `Description=${unitText(options.description)}`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'Type=simple',
    `User=${options.user}`,
    `ExecStart=${execLine(options.execStart)}`,
    'Restart=on-failure',
    'RestartSec=2s',
    // SIGTERM is the hub's clean shutdown (flush, close links); give it time before SIGKILL.
    'KillSignal=SIGTERM',
    'TimeoutStopSec=30s',
    'UMask=0077',
    'NoNewPrivileges=yes',
    'ProtectSystem=strict',
    'ProtectHome=read-only',
    `ReadWritePaths=${options.readWritePaths.map(quotePath).join(' ')}`,
    'PrivateTmp=yes',
    'PrivateDevices=yes',
    'ProtectKernelTunables=yes',
    'ProtectKernelModules=yes',
    'ProtectKernelLogs=yes',
    'ProtectControlGroups=yes',
    'ProtectClock=yes',
    'ProtectHostname=yes',
    'RestrictSUIDSGID=yes',
    'RestrictRealtime=yes',
    'RestrictNamespaces=yes',
    'LockPersonality=yes',
    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6',
    // No MemoryDenyWriteExecute: V8's JIT needs writable+executable pages.
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ];
  return lines.join('\n');
}
