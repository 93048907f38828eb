import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HubError } from '@imsg-hub/hub-protocol';
import { SqliteStore } from '@imsg-hub/store';
import { afterEach, describe, expect, it } from 'vitest';
import { createToken, tokenAllows, verifyToken } from './token-auth.js';

const dir = mkdtempSync(join(tmpdir(), 'tokens-'));
const store = new SqliteStore(join(dir, 'hub.db'));
afterEach(() => undefined);

describe('tokens', () => {
  it('stores only a hash, verifies the secret, and refuses wrong or revoked tokens', () => {
    const { token, record } = createToken(store, 'agent', ['alice'], 'mac-mini');
    const secret = token.slice('ihub_'.length + 11);
    // Nothing on disk holds the secret: only its hash.
    const onDisk = ['hub.db', 'hub.db-wal'].map((f) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f)).toString('latin1') : '')).join('');
    expect(onDisk).toContain(record.id);
    expect(onDisk).not.toContain(secret);
    expect(verifyToken(store, token).id).toBe(record.id);
    expect(tokenAllows(record, 'alice')).toBe(true);
    expect(tokenAllows(record, 'bob')).toBe(false);
    const tampered = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(() => verifyToken(store, tampered)).toThrow(HubError);
    expect(() => verifyToken(store, 'nonsense')).toThrow(/invalid token/);
    store.revokeToken(record.id);
    expect(() => verifyToken(store, token)).toThrow(/revoked/);
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
