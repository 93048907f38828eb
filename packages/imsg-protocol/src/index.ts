export * from './message.js';
export * from './methods.js';
export { stringParam, intParam, boolParam, stringArrayParam, firstPresent, isoDateParam, type Params } from './coerce.js';
export { imsgError, PARSE_ERROR_DATA, permissionDeniedText } from './imsg-error.js';
export { parseImsgRequest, type ImsgRequest, type ParsedLine } from './request-parser.js';
export { StartupErrorBackend } from './startup-error-backend.js';
export { ImsgRpcServer, toImsgError, type ImsgBackend, type ImsgSession, type ImsgRpcServerOptions } from './imsg-server.js';
export {
  ImsgClient,
  type BridgeEventHandlers,
  type WatchHandlers,
  type Subscription,
  type ImsgClientOptions,
  type MessagesAfterParams,
} from './imsg-client.js';
export { APPLE_EPOCH_OFFSET_S, appleNanosToIso, unixMsToAppleNanos, parseIsoDate } from './apple-time.js';
export { aggregateTapbacks, type TapbackEvent } from './tapback-aggregation.js';
export { REACTION_KINDS, isReactionType, decodeReaction, reactionCode, stripPartPrefix } from './reactions.js';
export * from './v1/index.js';
