import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { HubError } from '@imsg-hub/hub-protocol';
import type { Store, TokenRecord, TokenRole } from '@imsg-hub/store';
import { customAlphabet } from 'nanoid';

const tokenId = customAlphabet('abcdefghijkmnopqrstuvwxyz23456789', 10);
const TOKEN_RE = /^ihub_([a-z0-9]{10})_([A-Za-z0-9_-]{43})$/;

const hashSecret = (secret: string): Buffer => createHash('sha256').update(secret, 'utf8').digest();

/** Creates a token; the returned secret string is shown once and never stored. */
export async function createToken(store: Store, role: TokenRole, accounts: string[] | '*', label?: string): Promise<{ token: string; record: TokenRecord }> {
  const id = tokenId();
  const secret = randomBytes(32).toString('base64url');
  const record: TokenRecord = {
    id,
    secretHash: hashSecret(secret),
    role,
    accounts,
    label,
    createdAt: new Date().toISOString(),
    revokedAt: undefined,
  };
  await store.insertToken(record);
  return { token: `ihub_${id}_${secret}`, record };
}

/** Checks a presented token in constant time; throws UNAUTHORIZED saying what to do. */
export async function verifyToken(store: Store, presented: string): Promise<TokenRecord> {
  const m = TOKEN_RE.exec(presented.trim());
  const record = m ? await store.token(m[1]!) : undefined;
  // Compare even when the id is unknown, so timing does not reveal which ids exist.
  const expected = record?.secretHash ?? hashSecret('unknown-token');
  const ok = timingSafeEqual(hashSecret(m?.[2] ?? ''), expected) && record !== undefined;
  if (!ok || !record) {
    throw new HubError('UNAUTHORIZED', 'invalid token: check the token you configured, or create one with `imsg-hub token create`');
  }
  if (record.revokedAt) {
    throw new HubError('UNAUTHORIZED', `token ${record.id} was revoked at ${record.revokedAt}: create a new one with \`imsg-hub token create\``);
  }
  return record;
}

/** Whether a token may act for an account. */
export function tokenAllows(token: TokenRecord, account: string): boolean {
  return token.accounts === '*' || token.accounts.includes(account);
}

/** The accounts a token sees, as a filter (undefined = every account). */
export function tokenScope(token: TokenRecord): string[] | undefined {
  return token.accounts === '*' ? undefined : token.accounts;
}
