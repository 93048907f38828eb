export { HubClient, type HubClientOptions, type WatchHandle } from './hub-client.js';
