export { Hub, HUB_VERSION, type HubOptions } from './hub.js';
export { startHubServer, type HubServer, type HubServerOptions } from './hub-server.js';
export { HubConfigSchema, parseHubConfig, loadHubConfig, ConfigError, type HubConfig, type RouteRule, type WebhookConfig } from './config.js';
export { createToken, verifyToken, tokenAllows, tokenScope } from './token-auth.js';
export { Router, type Route } from './router.js';
export { RateLimiter } from './rate-limiter.js';
export { BlobStore } from './blob-store.js';
export { HubMetrics } from './metrics.js';
export type { AgentLink } from './agent-registry.js';
