import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseHubConfig } from '@imsg-hub/hub';
import { afterEach, describe, expect, it } from 'vitest';
import { resolveHubConfig } from './hub-options.js';
import { hubStoreConfig } from './hub-store.js';

describe('hub store config', () => {
  const saved = process.env['IMSG_HUB_STORE_URL'];
  afterEach(() => {
    if (saved === undefined) delete process.env['IMSG_HUB_STORE_URL'];
    else process.env['IMSG_HUB_STORE_URL'] = saved;
  });

  it('is the SQLite file in data_dir by default', () => {
    delete process.env['IMSG_HUB_STORE_URL'];
    const dir = mkdtempSync(join(tmpdir(), 'hub-store-config-'));
    try {
      const config = resolveHubConfig({ dataDir: dir });
      expect(config.store).toEqual({ kind: 'sqlite' });
      expect(hubStoreConfig(config)).toMatchObject({ kind: 'sqlite', path: join(dir, 'hub.db'), durability: 'full' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('opens PostgreSQL from store.url or IMSG_HUB_STORE_URL (which wins)', () => {
    const config = parseHubConfig({ store: { kind: 'postgres', url: 'postgres://hub@db:5432/imsg', pool_size: 4 } });
    expect(hubStoreConfig(config)).toEqual({ kind: 'postgres', url: 'postgres://hub@db:5432/imsg', poolSize: 4 });
    process.env['IMSG_HUB_STORE_URL'] = 'postgresql://other@db2/imsg';
    expect(hubStoreConfig(resolveHubConfig({}))).toEqual({ kind: 'postgres', url: 'postgresql://other@db2/imsg' });
  });

  it('says what is wrong with a store setting', () => {
    delete process.env['IMSG_HUB_STORE_URL'];
    expect(() => parseHubConfig({ store: { kind: 'sqlite', url: 'postgres://x/y' } })).toThrow(/store: url is for kind "postgres"/);
    expect(() => parseHubConfig({ store: { kind: 'postgres', url: 'mysql://x/y' } })).toThrow(/store.url: a PostgreSQL URL/);
    expect(() => parseHubConfig({ store: { kind: 'mongo' } })).toThrow(/store.kind/);
    expect(() => hubStoreConfig(parseHubConfig({ store: { kind: 'postgres' } }))).toThrow(/IMSG_HUB_STORE_URL/);
    process.env['IMSG_HUB_STORE_URL'] = 'http://nope';
    expect(() => resolveHubConfig({})).toThrow(/IMSG_HUB_STORE_URL must be a PostgreSQL URL/);
  });
});
