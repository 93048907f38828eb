import { describe, expect, it } from 'vitest';
import { normalizeTapbackReaction, tapbackResultName } from './tapback-reaction.js';

describe('normalizeTapbackReaction (imsg 0.15 §3.18)', () => {
  it.each([
    ['heart', false, 'love'],
    [' Thumbs-Up ', false, 'like'],
    ['-1', false, 'dislike'],
    ['🤣', false, 'laugh'],
    ['‼️', false, 'emphasize'],
    ['emphasis', false, 'emphasize'],
    ['?', true, 'remove-question'],
    ['remove-love', false, 'remove-love'],
  ])('%j (remove %s) → %s', (raw, remove, name) => {
    expect(tapbackResultName(normalizeTapbackReaction(raw, remove))).toBe(name);
  });
  it('refuses empty and unknown reactions with imsg’s texts', () => {
    expect(() => normalizeTapbackReaction('  ', false)).toThrow(expect.objectContaining({ code: -32602, data: 'reaction, kind, or emoji is required' }));
    expect(() => normalizeTapbackReaction('wow', false)).toThrow(
      expect.objectContaining({ data: 'unsupported tapback reaction wow; use love, like, dislike, laugh, emphasize, or question' }),
    );
  });
});
