export { tempDir, type TempDir } from './temp-dir.js';
export { spawnLineProcess, LineProcess, type SpawnLineOptions, type ExitStatus } from './line-process.js';
export { freePort } from './free-port.js';
export { binPath, repoRoot } from './bin-path.js';
export { waitFor } from './wait-for.js';
export { startSshd, type SshdServer } from './sshd.js';
export { HubProcess, startHubProcess, type HubProcessOptions } from './hub-process.js';
export { AgentProcess, startAgentProcess, type AgentProcessOptions } from './agent-process.js';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
