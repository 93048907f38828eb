import { isAbsolute, join } from 'node:path';
import { build } from 'plist';

/** What a LaunchAgent for `imsg-agent run` needs; every path absolute. */
export interface LaunchAgentOptions {
  /** Reverse-DNS job label; also the file name (`<label>.plist`). */
  label: string;
  /** argv, no shell: the node binary, the agent's script, then its arguments. */
  programArguments: readonly string[];
  /** `~/Library/Logs/imsg-agent`: stderr (the agent's JSON log) and stdout go there. */
  logDir: string;
  /** Environment of the job; launchd's own is minimal (PATH=/usr/bin:/bin:/usr/sbin:/sbin). */
  environment?: Readonly<Record<string, string>>;
  workingDirectory?: string;
}

const LABEL_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** `com.imsg-hub.agent.<agent id>`, the id reduced to what a label and a file name can hold. */
export function defaultLaunchAgentLabel(agentId: string): string {
  const slug = agentId
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[-.]+|[-.]+$/g, '');
  return `com.imsg-hub.agent.${slug || 'default'}`;
}

/** Where the job's logs go: `<logDir>/<label>.log` (stderr) and `<label>.out.log` (stdout). */
export function launchAgentLogPaths(label: string, logDir: string): { stderr: string; stdout: string } {
  return { stderr: join(logDir, `${label}.log`), stdout: join(logDir, `${label}.out.log`) };
}

/**
 * The LaunchAgent plist (XML, escaped by the `plist` library). The job runs in the user's GUI
 * (Aqua) session: only there does macOS grant the Automation right to drive Messages; a process
 * spawned by sshd gets AppleEvents error -1743 on every send (reference/clawdbot-imessage.md §7).
 */
export function launchAgentPlist(options: LaunchAgentOptions): string {
  if (!LABEL_RE.test(options.label)) throw new TypeError(`launchd label ${JSON.stringify(options.label)} may only hold letters, digits, '.', '_' and '-'`);
  const [program] = options.programArguments;
  if (!program || !isAbsolute(program)) throw new TypeError('the first program argument must be an absolute path (launchd runs no shell)');
  for (const p of [options.logDir, options.workingDirectory]) {
    if (p !== undefined && !isAbsolute(p)) throw new TypeError(`${p} is not an absolute path`);
  }
  const logs = launchAgentLogPaths(options.label, options.logDir);
  return build({
    Label: options.label,
    ProgramArguments: [...options.programArguments],
    RunAtLoad: true,
    // Restarted whenever it exits; launchd spaces restarts by ThrottleInterval.
    KeepAlive: true,
    ThrottleInterval: 10,
    // Interactive: no App Nap-style throttling of a job that must pick up messages and sends at once.
    ProcessType: 'Interactive',
    LimitLoadToSessionType: 'Aqua',
    ...(options.workingDirectory ? { WorkingDirectory: options.workingDirectory } : {}),
    ...(options.environment ? { EnvironmentVariables: { ...options.environment } } : {}),
    StandardOutPath: logs.stdout,
    StandardErrorPath: logs.stderr,
  });
}
