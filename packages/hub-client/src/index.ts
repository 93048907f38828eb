export { HubClient, type HubClientOptions, type WatchHandle } from './hub-client.js';
export { formatMessage, formatChat, formatAccount, formatSend } from './format.js';
