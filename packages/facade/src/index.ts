export { runFacade, startFacadeContext, type FacadeIo } from './run-facade.js';
export {
  resolveFacadeOptions,
  defaultCacheDir,
  FacadeOptionsSchema,
  LOG_LEVELS,
  type FacadeOptions,
  type FacadeFlags,
  type LogLevel,
} from './facade-options.js';
export { FacadeError, toImsgRpcError, type FacadeFailureCode } from './facade-errors.js';
export { FacadeBackend } from './facade-backend.js';
export { HubLink, type HubLinkOptions } from './hub-link.js';
export { AccountView } from './account-view.js';
export { AttachmentCache, cacheFileName } from './attachment-cache.js';
export { ArrivalClock, Deadline } from './request-clock.js';
export { aggregateReactions, reactionsByTarget } from './reaction-index.js';
export { toImsgMessage, toImsgChat, toImsgChatDetail, type FacadeMessage, type FacadeChat } from './imsg-shape.js';
export { planSend, type SendPlan } from './send-plan.js';
export { parseWatchParams, type WatchSpec } from './watch-params.js';
export { parseMessageFilter, matchesFilter, type MessageFilter } from './message-filter.js';
export {
  facadeStatus,
  FACADE_RPC_METHODS,
  FACADE_VERSION,
  IMSG_COMPAT_VERSION,
  IMSG_V1_VERSION,
  IMSG_VERSIONS,
  type ImsgVersion,
} from './status.js';
export {
  capabilitiesOf,
  unreachableCapabilities,
  bridgeProblem,
  FACADE_V1_METHODS,
  HUB_SERVED_METHODS,
  ACCOUNT_METHODS,
  type BackingAccount,
  type FacadeCapabilities,
} from './facade-capabilities.js';
export { statusSnapshot, cliStatus } from './status-v1.js';
export { facadeCliStatus } from './cli-status.js';
export { runOneShot, ONE_SHOTS, type OneShotName, type OneShotOptions, type OneShotResult } from './oneshots.js';
export { FacadeV1Backend } from './v1/v1-backend.js';
