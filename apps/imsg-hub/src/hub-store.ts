import type { HubConfig } from '@imsg-hub/hub';
import type { Store } from '@imsg-hub/store';
import { openStore, sqliteStoreConfig } from '@imsg-hub/store/open';

/** Opens the store a hub config names (the embedded SQLite file under data_dir by default). */
export function openHubStore(config: HubConfig, options: { serving?: boolean } = {}): Promise<Store> {
  // A serving hub checkpoints the WAL from a worker thread, off the commit path.
  return openStore(sqliteStoreConfig(config.data_dir, config.durability), { backgroundCheckpoint: options.serving === true });
}
