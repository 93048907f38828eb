import type { HubMessage } from '@imsg-hub/hub-protocol';
import { describe, expect, it } from 'vitest';
import { aggregateReactions, reactionsByTarget } from './reaction-index.js';

let seq = 100;
function tapback(p: Partial<HubMessage> & { reaction_type?: string; is_reaction_add?: boolean }): HubMessage {
  seq += 1;
  return {
    id: seq,
    chat_id: 1,
    guid: `R-${seq}`,
    sender: '+1555',
    is_from_me: false,
    text: '',
    created_at: `2026-05-16T15:00:${String(seq % 60).padStart(2, '0')}.000Z`,
    attachments: [],
    reactions: [],
    chat_identifier: '',
    chat_guid: '',
    chat_name: '',
    participants: [],
    is_group: false,
    account: 'a',
    accounts: ['a'],
    native_id: seq,
    native_chat_id: 1,
    replay: false,
    is_reaction: true,
    reacted_to_guid: 'M',
    reaction_emoji: p.reaction_type === 'love' ? '❤️' : '👍',
    is_reaction_add: true,
    ...p,
  } as HubMessage;
}

describe('aggregateReactions (imsg §3.2)', () => {
  it('an add per (sender, from me, type); a later add replaces, a removal deletes', () => {
    const like = tapback({ reaction_type: 'like' });
    const love = tapback({ reaction_type: 'love' });
    const other = tapback({ reaction_type: 'like', sender: '+1666' });
    const unlike = tapback({ reaction_type: 'like', is_reaction_add: false });
    expect(aggregateReactions([like, love, other, unlike]).map((r) => [r.sender, r.type, r.id])).toEqual([
      ['+1555', 'love', love.id],
      ['+1666', 'like', other.id],
    ]);
    const again = tapback({ reaction_type: 'like' });
    expect(aggregateReactions([like, again]).map((r) => r.id)).toEqual([again.id]);
  });
  it('processes in date order, whatever the input order; copies with one guid count once', () => {
    const like = tapback({ reaction_type: 'like' });
    const unlike = tapback({ reaction_type: 'like', is_reaction_add: false });
    expect(aggregateReactions([unlike, like])).toEqual([]);
    const copy = { ...like, id: like.id + 1000, account: 'b' };
    expect(aggregateReactions([like, copy])).toHaveLength(1);
  });
  it('custom: removal only with a matching emoji or none; undecodable adds are skipped', () => {
    const party = tapback({ reaction_type: 'custom', reaction_emoji: '🎉' });
    expect(aggregateReactions([party, tapback({ reaction_type: 'custom', reaction_emoji: '🔥', is_reaction_add: false })])).toHaveLength(1);
    expect(aggregateReactions([party, tapback({ reaction_type: undefined, reaction_emoji: undefined, is_reaction_add: false })])).toEqual([]);
    expect(aggregateReactions([tapback({ reaction_type: undefined, reaction_emoji: undefined })])).toEqual([]);
  });
  it('the reaction objects carry imsg’s keys with hub ids', () => {
    const like = tapback({ reaction_type: 'like', sender_name: 'Jane' });
    expect(aggregateReactions([like])[0]).toEqual({
      id: like.id,
      type: 'like',
      emoji: '👍',
      sender: '+1555',
      is_from_me: false,
      created_at: like.created_at,
      sender_name: 'Jane',
    });
  });
  it('groups by the guid reacted to', () => {
    const a = tapback({ reaction_type: 'like', reacted_to_guid: 'A' });
    const b = tapback({ reaction_type: 'love', reacted_to_guid: 'B' });
    const map = reactionsByTarget([a, b]);
    expect([...map.keys()].sort()).toEqual(['A', 'B']);
    expect(map.get('B')![0]!.type).toBe('love');
  });
});
