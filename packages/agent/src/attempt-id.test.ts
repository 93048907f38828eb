import { describe, expect, it } from 'vitest';
import { attemptId, uuidV5 } from './attempt-id.js';

describe('attempt ids', () => {
  it('are RFC 9562 version-5 UUIDs (the RFC’s DNS example)', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('name one guid per key and account, lower case, stable across calls', () => {
    const a = attemptId('key-1', 'alice');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(attemptId('key-1', 'alice')).toBe(a);
    expect(attemptId('key-1', 'bob')).not.toBe(a);
    expect(attemptId('key-2', 'alice')).not.toBe(a);
  });
});
