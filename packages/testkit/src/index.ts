export { tempDir, type TempDir } from './temp-dir.js';
export { spawnLineProcess, LineProcess, type SpawnLineOptions, type ExitStatus } from './line-process.js';
export { waitFor } from './wait-for.js';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.js';
export { captureLog } from './capture-log.js';
export { TempStore } from './temp-store.js';
export { FakeHub, type FakeHubOptions } from './fake-hub.js';
export { SimAccount, simCommand, misbehavingCommand, savedCursor, exampleWorld, ACCOUNT_HANDLE, PEER_HANDLE } from './sim-account.js';
export { writeAgentConfig, runAgentProcess } from './agent-command.js';
// The real processes live in the fleet package (the demo ships with them); tests take them from here.
export {
  AgentProcess,
  startAgentProcess,
  startSshd,
  simAttachmentsRoot,
  simSource,
  binPath,
  repoRoot,
  freePort,
  type AgentProcessOptions,
  type SshdServer,
} from '@imsg-hub/fleet';
export { startPostgres, postgresAvailable, postgresBinDir, withClient, type PostgresServer, type PostgresServerOptions } from './postgres-server.js';
// Hub processes on the store a test asks for (IMSG_TEST_STORE=postgres switches them all).
export { HubProcess, startHubProcess, testStoreKind, type HubProcessOptions } from './test-hub-process.js';
