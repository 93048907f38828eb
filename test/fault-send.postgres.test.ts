import { postgresAvailable } from '@imsg-hub/testkit';
import { describe, it } from 'vitest';

// Issue 15: the same fault test (./fault-send.test.ts, unchanged), its hub on PostgreSQL. Under CI the
// server must be there: never skipped for want of it.
if (postgresAvailable() || process.env['CI']) {
  process.env['IMSG_TEST_STORE'] = 'postgres';
  await import('./fault-send.test.js');
} else {
  describe('fault-send on PostgreSQL', () => it.skip('needs PostgreSQL (apt-get install postgresql)', () => undefined));
}
