import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '@imsg-hub/store/open';
import { storeConformance } from './store-conformance.js';

storeConformance({
  name: 'sqlite',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'store-conformance-'));
    const path = join(dir, 'hub.db');
    return {
      store: new SqliteStore(path),
      reopen: async () => new SqliteStore(path),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    };
  },
});
