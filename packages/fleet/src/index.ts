// Real imsg-hub processes on this machine — a hub, agents, an OpenSSH server, simulated imsg
// sources — for `imsg-hub demo` and the end-to-end tests (which reach them through testkit).
export { HubProcess, startHubProcess, type HubProcessOptions } from './hub-process.js';
export { AgentProcess, startAgentProcess, type AgentProcessOptions } from './agent-process.js';
export { startSshd, type SshdServer } from './sshd.js';
export { simAttachmentsRoot, simSource, type SimImsgVersion, type SimSourceOptions } from './sim-source.js';
export { binPath, repoRoot } from './bin-path.js';
export { freePort } from './free-port.js';
