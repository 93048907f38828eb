export { HubClient, type HubClientOptions, type WatchHandle } from './hub-client.js';
export { HubConnection, type HubConnectionOptions, type DialPhase } from './hub-connection.js';
export { dialHub, type HubRole, type HubSession, type HubHelloParams, type HubHelloResult, type DialOptions } from './hub-session.js';
export { startKeepalive, KEEPALIVE_MISSES } from './keepalive.js';
export { Backoff, backoffSleep, type BackoffSettings } from './backoff.js';
export { retryForever, RetryStopped, type RetryOptions } from './retry-forever.js';
export { HubClientError, type HubClientErrorCode } from './errors.js';
export { formatMessage, formatChat, formatAccount, formatSend } from './format.js';
