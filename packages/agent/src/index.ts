export { Agent, type AgentOptions } from './agent.js';
export { AgentError, type AgentErrorCode } from './errors.js';
export {
  agentConfigSchema,
  loadConfigFile,
  parseConfig,
  formatPath,
  type AgentConfig,
  type AccountConfig,
  type SourceConfigBase,
  type SourceKinds,
  type ParseConfigOptions,
  type ConfigOverrides,
} from './config.js';
export type { ImsgSource, ImsgProcess, SourceExit, SourceFiles, FileReadResult, TempFile } from './imsg-source.js';
export { HubLink, type HubLinkOptions, type HubSession } from './hub-link.js';
export { AccountRunner, type AccountRunnerOptions, type RunnerSettings } from './account-runner.js';
export { StateDb } from './state-db.js';
export { CursorStore, type Cursor } from './cursor-store.js';
export { SendLedger, type LedgerEntry } from './send-ledger.js';
export { retryForever, type BackoffSettings } from '@imsg-hub/hub-client';
export { attemptId, uuidV5 } from './attempt-id.js';
export { LEGACY_PROFILE, negotiate, profileFromStatus, tracksSends, type ImsgProfile } from './imsg-profile.js';
