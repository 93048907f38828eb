export * from './ids.js';
export * from './version.js';
export * from './hub-errors.js';
export * from './hub-message.js';
export * from './agent-methods.js';
export * from './hello.js';
export * from './send.js';
export * from './client-methods.js';
export * from './target.js';
export * from './imsg-passthrough.js';
export * from './imsg-info.js';
export * from './actions.js';
export * from './chat-actions.js';
export * from './rich-send.js';
export {
  AGENT_NOTIFICATIONS,
  AGENT_TO_HUB,
  CLIENT_TO_HUB,
  HUB_METHODS,
  HUB_TO_AGENT,
  HUB_TO_CLIENT_NOTIFICATIONS,
  callHub,
  callMethod,
  dispatchMethod,
  parseMethodParams,
  parseParams,
  type HubMethod,
  type HubParams,
  type HubResult,
  type MethodHandlers,
  type MethodSpec,
  type MethodTable,
} from './method-table.js';
export * from './account-list.js';
export { boundedJson, boundedLoose, jsonBoundsProblem, FIELD_BOUNDS, type JsonFieldBounds, type LooseBounds } from './json-bounds.js';
export * from './webhook-events.js';
export * from './typing.js';
