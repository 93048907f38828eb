import { describe, expect, it } from 'vitest';
import { CodedError } from './coded-error.js';
import { PeerError } from './errors.js';

describe('CodedError', () => {
  it('carries a string code, details and the cause', () => {
    const cause = new Error('disk full');
    const err = new CodedError('STATE_DB', 'cannot write the state file', { details: { path: '/x' }, cause });
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({ code: 'STATE_DB', message: 'cannot write the state file', details: { path: '/x' } });
    expect(err.cause).toBe(cause);
    expect(new CodedError('X', 'y').details).toEqual({});
  });

  it('is the base of PeerError, whose failure is its code', () => {
    const err = new PeerError('RPC_TIMEOUT', 'slow timed out');
    expect(err).toBeInstanceOf(CodedError);
    expect(err).toMatchObject({ code: 'RPC_TIMEOUT', failure: 'RPC_TIMEOUT', name: 'PeerError' });
  });
});
