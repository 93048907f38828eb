import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubError } from '@imsg-hub/hub-protocol';
import { SqliteStore } from '@imsg-hub/store/open';
import { afterEach, describe, expect, it } from 'vitest';
import { createToken, tokenAllows, verifyToken } from './token-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'tokens-'));
const store = new SqliteStore(join(dir, 'hub.db'));
afterEach(() => undefined);

describe('tokens', () => {
  it('stores only a hash, verifies the secret, and refuses wrong or revoked tokens', async () => {
    const { token, record } = await createToken(store, 'agent', ['alice'], 'mac-mini');
    const secret = token.slice('ihub_'.length + 11);
    // Nothing on disk holds the secret: only its hash.
    const onDisk = ['hub.db', 'hub.db-wal'].map((f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f)).toString('latin1') : '')).join('');
    expect(onDisk).toContain(record.id);
    expect(onDisk).not.toContain(secret);
    expect((await verifyToken(store, token)).id).toBe(record.id);
    expect(tokenAllows(record, 'alice')).toBe(true);
    expect(tokenAllows(record, 'bob')).toBe(false);
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    await expect(verifyToken(store, tampered)).rejects.toThrow(HubError);
    await expect(verifyToken(store, 'nonsense')).rejects.toThrow(/invalid token/);
    await store.revokeToken(record.id, new Date().toISOString());
    await expect(verifyToken(store, token)).rejects.toThrow(/revoked/);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
