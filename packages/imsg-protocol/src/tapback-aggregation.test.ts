import { describe, expect, it } from 'vitest';
import { aggregateTapbacks, type TapbackEvent } from './tapback-aggregation.js';

let id = 0;
const ev = (p: Partial<TapbackEvent>): TapbackEvent => ({
  type: 'like',
  add: true,
  emoji: '👍',
  id: ++id,
  sender: '+1555',
  is_from_me: false,
  created_at: `2026-01-01T00:00:${String(id).padStart(2, '0')}.000Z`,
  ...p,
});

describe('aggregateTapbacks (imsg §3.2)', () => {
  it('replaces a sender’s tapback of one kind and removes it on a removal', () => {
    const first = ev({});
    const again = ev({});
    const love = ev({ type: 'love', emoji: '❤️' });
    expect(aggregateTapbacks([first, love, again]).map((r) => r.id)).toEqual([love.id, again.id]);
    expect(aggregateTapbacks([first, love, ev({ add: false })]).map((r) => r.type)).toEqual(['love']);
  });

  it('removes a custom tapback only when the emoji matches or none is named', () => {
    const party = ev({ type: 'custom', emoji: '🎉' });
    expect(aggregateTapbacks([party, ev({ type: 'custom', emoji: '🔥', add: false })])).toHaveLength(1);
    expect(aggregateTapbacks([party, ev({ type: undefined, emoji: undefined, add: false })])).toEqual([]);
    expect(aggregateTapbacks([ev({ type: undefined }), ev({ emoji: undefined })])).toEqual([]);
  });
});
