export { launchAgentPlist, launchAgentLogPaths, defaultLaunchAgentLabel, type LaunchAgentOptions } from './launch-agent.js';
export { writeServiceFile } from './service-file-writer.js';
export { systemdUnit, type SystemdUnitOptions } from './systemd-unit.js';
export { quoteExecArg, execLine, quotePath, escapeSpecifiers, unitText } from './systemd-escape.js';
export { shellWord } from './shell-word.js';
