import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultLaunchAgentLabel, launchAgentLogPaths, launchAgentPlist, shellWord, writeServiceFile } from '@imsg-hub/service-files';
import { loadAgentConfig } from './agent-config.js';

export interface InstallLaunchdFlags {
  config: string;
  label?: string;
  node: string;
  out?: string;
  print?: boolean;
}

/** The launcher of this very install, so the job runs the code that wrote it. */
const AGENT_SCRIPT = fileURLToPath(new URL('../bin/imsg-agent.js', import.meta.url));

/** Where Homebrew and the usual installers put `imsg`; launchd's own PATH has none of them. */
const SEARCH_PATH = ['/opt/homebrew/bin', '/usr/local/bin', '/usr/bin', '/bin', '/usr/sbin', '/sbin'];

/**
 * `imsg-agent install-launchd`: writes a LaunchAgent that runs `imsg-agent run --config <abs>` in
 * this user's GUI session, and prints how to load it. Sends only work from there (-1743 otherwise).
 */
export function installLaunchd(flags: InstallLaunchdFlags): void {
  if (flags.out && flags.print) throw new Error('use --out or --print, not both');
  const configPath = resolve(flags.config);
  const config = loadAgentConfig(configPath); // a bad config fails now, not in a log after login
  const label = flags.label ?? defaultLaunchAgentLabel(config.agent_id);
  const node = resolve(flags.node);
  const logDir = join(homedir(), 'Library', 'Logs', 'imsg-agent');
  const plist = launchAgentPlist({
    label,
    programArguments: [node, AGENT_SCRIPT, 'run', '--config', configPath],
    logDir,
    workingDirectory: dirname(configPath),
    environment: { PATH: [...new Set([dirname(node), ...SEARCH_PATH])].join(':') },
  });
  const path = resolve(flags.out ?? join(homedir(), 'Library', 'LaunchAgents', `${label}.plist`));
  const domain = 'gui/$(id -u)';
  const next = [
    `launchctl bootstrap ${domain} ${shellWord(path)}   # load it now; it also starts at every login`,
    `launchctl kickstart -k ${domain}/${label}   # restart`,
    `launchctl bootout ${domain}/${label}   # stop and unload (before bootstrapping a changed file)`,
    `tail -f ${shellWord(launchAgentLogPaths(label, logDir).stderr)}   # the agent's log (JSON lines)`,
  ];
  if (flags.print) {
    process.stdout.write(plist);
    process.stderr.write(`# save as ~/Library/LaunchAgents/${label}.plist, then:\n${next.map((l) => `#   ${l}`).join('\n')}\n`);
    return;
  }
  mkdirSync(logDir, { recursive: true }); // launchd does not create the folders of its log paths
  writeServiceFile(path, plist);
  process.stdout.write(`wrote ${path}\nnext:\n${next.map((l) => `  ${l}`).join('\n')}\n`);
  if (process.env['SSH_CONNECTION']) {
    process.stdout.write(
      'note: this is an SSH session. The job still runs in the GUI session, which needs this user logged in at the Mac;\n' +
        'approve the "control Messages" (Automation) prompt on its screen at the first send.\n',
    );
  }
}
