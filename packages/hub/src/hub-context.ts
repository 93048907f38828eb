import type { Store } from '@imsg-hub/store';
import type { Logger } from 'pino';
import type { HubActions } from './actions/hub-actions.js';
import type { AgentRegistry } from './agent-registry.js';
import type { BlobStore } from './blob-store.js';
import type { HubConfig } from './config.js';
import type { CommitFeed } from './commit-feed.js';
import type { IngestQueue } from './ingest-queue.js';
import type { HubMetrics } from './metrics.js';
import type { Outbox } from './outbox.js';
import type { MessageModel } from './model/message-model.js';
import type { Router } from './router.js';
import type { WatchHub } from './watch-hub.js';

/** The hub's parts as sessions see them. */
export interface HubContext {
  readonly config: HubConfig;
  readonly store: Store;
  readonly model: MessageModel;
  readonly feed: CommitFeed;
  readonly log: Logger;
  readonly registry: AgentRegistry;
  readonly ingest: IngestQueue;
  readonly watch: WatchHub;
  readonly outbox: Outbox;
  readonly actions: HubActions;
  readonly router: Router;
  readonly blobs: BlobStore;
  readonly metrics: HubMetrics;
  readonly version: string;
}
