import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SourceError } from './errors.js';
import { fingerprintOf, hostKeyAlgorithms, parseHostKeyPin, sameFingerprint } from './host-key.js';

const dir = mkdtempSync(join(tmpdir(), 'host-key-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'test', '-f', join(dir, 'k')]);
const pub = readFileSync(join(dir, 'k.pub'), 'utf8').trim();
// What OpenSSH itself says the fingerprint is.
const expected = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', join(dir, 'k.pub')], { encoding: 'utf8' }).split(' ')[1]!;

describe('host key pins', () => {
  it('computes the fingerprint OpenSSH prints, from a pub line or a known_hosts line', () => {
    const [type, b64] = pub.split(' ');
    expect(fingerprintOf(Buffer.from(b64!, 'base64'))).toBe(expected);
    expect(parseHostKeyPin(pub)).toEqual({ fingerprint: expected, keyType: 'ssh-ed25519' });
    expect(parseHostKeyPin(`[mac.local]:2222,10.0.0.5 ${type} ${b64}`)).toEqual({ fingerprint: expected, keyType: type });
    expect(parseHostKeyPin(`|1|abc=|def= ${type} ${b64} comment`).fingerprint).toBe(expected);
  });

  it('accepts a bare SHA256 fingerprint with or without padding', () => {
    expect(parseHostKeyPin(expected)).toEqual({ fingerprint: expected });
    expect(sameFingerprint(`${expected}=`, expected)).toBe(true);
  });

  it('refuses garbage, markers and key data of the wrong type', () => {
    for (const bad of ['', 'SHA256:short', 'host ssh-ed25519 AAAA', '@cert-authority * ssh-ed25519 AAAA', `host ssh-rsa ${pub.split(' ')[1]}`]) {
      const err = (() => {
        try {
          parseHostKeyPin(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err, bad).toBeInstanceOf(SourceError);
      expect((err as SourceError).code).toBe('HOST_KEY_INVALID');
    }
  });

  it('asks the server for the pinned key type', () => {
    expect(hostKeyAlgorithms('ssh-ed25519')).toEqual(['ssh-ed25519']);
    expect(hostKeyAlgorithms('ssh-rsa')).toEqual(['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa']);
    expect(hostKeyAlgorithms(undefined)).toBeUndefined();
  });
});
