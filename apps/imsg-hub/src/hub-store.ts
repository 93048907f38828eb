import { chmodSync, mkdirSync } from 'node:fs';
import type { HubConfig } from '@imsg-hub/hub';
import type { Store } from '@imsg-hub/store';
import { openStore, sqliteStoreConfig, type StoreConfig } from '@imsg-hub/store/open';

/** The store a hub config names: the embedded SQLite file under data_dir by default, or PostgreSQL. */
export function hubStoreConfig(config: HubConfig): StoreConfig {
  if (config.store.kind === 'postgres') {
    if (!config.store.url) throw new Error('store.kind is "postgres" but no URL is given: set store.url in the config or IMSG_HUB_STORE_URL');
    return { kind: 'postgres', url: config.store.url, ...(config.store.pool_size ? { poolSize: config.store.pool_size } : {}) };
  }
  return sqliteStoreConfig(config.data_dir, config.durability);
}

/** Opens the store a hub config names. */
export function openHubStore(config: HubConfig, options: { serving?: boolean } = {}): Promise<Store> {
  if (options.serving && config.store.kind === 'postgres') {
    // Attachments stay in data_dir whatever the store: owner-only, as on SQLite.
    mkdirSync(config.data_dir, { recursive: true, mode: 0o700 });
    chmodSync(config.data_dir, 0o700);
  }
  // A serving hub checkpoints SQLite's WAL from a worker thread, off the commit path.
  return openStore(hubStoreConfig(config), { backgroundCheckpoint: options.serving === true });
}
