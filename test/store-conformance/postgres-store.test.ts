import { PostgresStore } from '@imsg-hub/store/open';
import { postgresAvailable, startPostgres, type PostgresServer } from '@imsg-hub/testkit';
import { afterAll, beforeAll, describe } from 'vitest';
import { storeConformance } from './store-conformance.js';

// One throwaway cluster for this file; each test gets a fresh database in it, and reopening is a
// new pool on the same database. Under CI the server must be there: never skip for want of it.
describe.skipIf(!postgresAvailable() && !process.env['CI'])('postgres adapter', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.close();
  });

  storeConformance({
    name: 'postgres',
    async open() {
      const url = await server.createDatabase();
      return {
        store: await PostgresStore.open(url),
        reopen: () => PostgresStore.open(url),
        cleanup: async () => undefined,
      };
    },
  });
});
