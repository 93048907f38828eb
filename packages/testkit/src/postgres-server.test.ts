import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { postgresAvailable, startPostgres, withClient } from './postgres-server.js';

// Under CI the server must be there (scripts/setup.sh installs it): never skip for want of it.
describe.skipIf(!postgresAvailable() && !process.env['CI'])('throwaway PostgreSQL server', () => {
  test('starts on loopback as an unprivileged user, makes fresh databases, and leaves nothing behind', async () => {
    const server = await startPostgres();
    const { dataDir, pid, port } = server;
    try {
      expect(server.url('x')).toBe(`postgres://postgres@127.0.0.1:${port}/x`);
      // Never root: PostgreSQL refuses it, and a test server has no business with it.
      const uid = Number(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
      expect(uid).not.toBe(0);
      expect(statSync(dataDir).uid).toBe(uid);

      const a = await server.createDatabase();
      const b = await server.createDatabase('second_db');
      expect(b).toBe(server.url('second_db'));
      await withClient(a, async (c) => {
        await c.query('CREATE TABLE t (x int)');
        await c.query('INSERT INTO t VALUES (1), (2)');
        expect((await c.query('SELECT sum(x)::int AS s FROM t')).rows).toEqual([{ s: 3 }]);
        expect((await c.query('SELECT inet_server_addr()::text AS addr')).rows[0].addr).toMatch(/^127\.0\.0\.1/);
      });
      // A fresh database does not see another's tables.
      await withClient(b, async (c) => {
        await expect(c.query('SELECT * FROM t')).rejects.toThrow(/does not exist/);
      });
      await expect(server.createDatabase('Bad; DROP')).rejects.toThrow(/lower-case/);
    } finally {
      await server.close();
    }
    expect(existsSync(dataDir)).toBe(false);
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    await expect(withClient(server.url(), async () => true)).rejects.toThrow();
  });

  test('two servers run side by side on their own ports', async () => {
    await using one = await startPostgres();
    await using two = await startPostgres();
    expect(one.port).not.toBe(two.port);
    const ports = await Promise.all([one, two].map((s) => withClient(s.url(), async (c) => Number((await c.query('SHOW port')).rows[0].port))));
    expect(ports).toEqual([one.port, two.port]);
  });
});
