import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadHubConfig } from '@imsg-hub/hub';
import { shellWord, systemdUnit, writeServiceFile } from '@imsg-hub/service-files';
import type { Command } from 'commander';
import { fail } from '../fail.js';

interface InstallSystemdFlags {
  config: string;
  user?: string;
  name: string;
  node: string;
  out?: string;
  print?: boolean;
}

/** The launcher of this very install, so the unit runs the code that wrote it. */
const HUB_SCRIPT = fileURLToPath(new URL('../../bin/imsg-hub.js', import.meta.url));

/** Who the hub runs as: --user, else whoever ran sudo, else the current user; never root. */
function serviceUser(flag: string | undefined): string {
  const user = flag ?? process.env['SUDO_USER'] ?? userInfo().username;
  if (user === 'root' || user === '0') {
    throw new Error('the hub should not run as root: pass --user NAME (e.g. create one: useradd --system --home-dir /var/lib/imsg-hub imsg-hub)');
  }
  return user;
}

export function registerInstallSystemd(program: Command): void {
  program
    .command('install-systemd')
    .description('write a systemd unit that runs this hub as a service (sandboxed, restarted on failure)')
    .requiredOption('-c, --config <file>', 'hub config file (JSON) the service runs with')
    .option('--user <name>', 'account the service runs as (default: the sudo user or the current user)')
    .option('--name <unit>', 'unit name', 'imsg-hub')
    .option('--node <path>', 'node binary for ExecStart', process.execPath)
    .option('--out <path>', 'where to write the unit (default /etc/systemd/system/<name>.service)')
    .option('--print', 'print the unit on stdout instead of writing it')
    .action((flags: InstallSystemdFlags) => {
      try {
        if (flags.out && flags.print) throw new Error('use --out or --print, not both');
        if (!/^[A-Za-z0-9_.@-]+$/.test(flags.name)) throw new Error(`--name ${flags.name}: letters, digits, '_', '.', '@' and '-' only`);
        const configPath = resolve(flags.config);
        const config = loadHubConfig(configPath); // refuses a bad config now, not at the first boot
        const user = serviceUser(flags.user);
        const unit = systemdUnit({
          description: `imsg-hub: every Apple ID behind one hub (${configPath})`,
          execStart: [resolve(flags.node), HUB_SCRIPT, 'serve', '--config', configPath],
          user,
          readWritePaths: [config.data_dir],
        });
        const next = [
          `sudo install -d -o ${shellWord(user)} -m 0700 ${shellWord(config.data_dir)}   # the data dir must exist: the sandbox only allows writes there`,
          'sudo systemctl daemon-reload',
          `sudo systemctl enable --now ${flags.name}.service`,
          `journalctl -u ${flags.name} -f   # logs (JSON lines)`,
        ];
        if (flags.print) {
          process.stdout.write(unit);
          process.stderr.write(`# install as /etc/systemd/system/${flags.name}.service, then:\n${next.map((l) => `#   ${l}`).join('\n')}\n`);
          return;
        }
        const path = resolve(flags.out ?? `/etc/systemd/system/${flags.name}.service`);
        try {
          writeServiceFile(path, unit);
        } catch (err) {
          throw new Error(`cannot write ${path}: ${(err as Error).message} (run with sudo, or pass --out PATH or --print)`);
        }
        process.stdout.write(`wrote ${path}\nnext:\n${next.map((l) => `  ${l}`).join('\n')}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
