import { createHash } from 'node:crypto';
import { SourceError } from './errors.js';

/** The Mac's host key as pinned in the config: always a fingerprint, and the key type when known. */
export interface HostKeyPin {
  /** OpenSSH form `SHA256:<base64 without padding>`. */
  fingerprint: string;
  /** `ssh-ed25519`, `ecdsa-sha2-nistp256`, `ssh-rsa`, …; absent for a bare fingerprint. */
  keyType?: string;
}

const FINGERPRINT = /^SHA256:([A-Za-z0-9+/]{43})=?$/;
const KEY_TYPE = /^(ssh-[a-z0-9-]+|ecdsa-sha2-[a-z0-9-]+|sk-[a-z0-9@.-]+)$/;

/** `SHA256:...` of a raw SSH public key blob, exactly as `ssh-keygen -l` prints it. */
export function fingerprintOf(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Key type named inside a raw SSH public key blob (its first string). */
export function keyTypeOf(keyBlob: Buffer): string | undefined {
  if (keyBlob.length < 4) return undefined;
  const len = keyBlob.readUInt32BE(0);
  if (len <= 0 || len > 64 || 4 + len > keyBlob.length) return undefined;
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/**
 * Parses a pin: a known_hosts line (`host[,host] type base64 [comment]`), a public key line
 * (`type base64 [comment]`) or an OpenSSH fingerprint (`SHA256:...`).
 */
export function parseHostKeyPin(text: string): HostKeyPin {
  const trimmed = text.trim();
  const fp = FINGERPRINT.exec(trimmed);
  if (fp) return { fingerprint: `SHA256:${fp[1]}` };
  const tokens = trimmed.split(/\s+/);
  if (tokens[0]?.startsWith('@')) {
    throw invalid(`${tokens[0]} entries are not supported; pin the host key itself`);
  }
  for (let i = 0; i + 1 < tokens.length; i++) {
    const type = tokens[i]!;
    if (!KEY_TYPE.test(type)) continue;
    const blob = Buffer.from(tokens[i + 1]!, 'base64');
    if (blob.length === 0 || keyTypeOf(blob) !== type) {
      throw invalid(`the ${type} key data does not decode to a ${type} key`);
    }
    return { fingerprint: fingerprintOf(blob), keyType: type };
  }
  throw invalid('expected a known_hosts line or SHA256:<base64> fingerprint');
}

/** Host key algorithms ssh2 should offer so the server presents the pinned key type. */
export function hostKeyAlgorithms(keyType: string | undefined): string[] | undefined {
  if (keyType === 'ssh-rsa') return ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  if (keyType === 'ssh-ed25519' || keyType?.startsWith('ecdsa-sha2-nistp')) return [keyType];
  return undefined;
}

/** Two fingerprints name the same key (padding ignored). */
export function sameFingerprint(a: string, b: string): boolean {
  return a.replace(/=+$/, '') === b.replace(/=+$/, '');
}

function invalid(reason: string): SourceError {
  return new SourceError('HOST_KEY_INVALID', `invalid host key pin: ${reason}`);
}
