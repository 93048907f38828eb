import type { HubMessage } from '@imsg-hub/hub-protocol';
import type { ImsgReaction } from '@imsg-hub/imsg-protocol';

/**
 * imsg's aggregation of tapback rows into a message's current `reactions` (reference §3.2): rows in
 * date order; an add keyed by (sender, is_from_me, type) inserts or replaces, a removal deletes the
 * key (a custom removal only when its emoji matches or it names none). Copies of one tapback seen
 * by two of our accounts (same guid) count once. Ids are hub ids.
 */
export function aggregateReactions(events: readonly HubMessage[]): ImsgReaction[] {
  const seen = new Set<string>();
  const ordered = events
    .filter((e) => e.is_reaction === true && (e.guid === '' || (!seen.has(e.guid) && seen.add(e.guid))))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  const current = new Map<string, ImsgReaction>();
  for (const e of ordered) {
    // An undecodable custom tapback carries no type: adds are skipped, removals remove the custom one.
    const type = e.reaction_type ?? (e.is_reaction_add === false ? 'custom' : undefined);
    if (type === undefined) continue;
    const key = `${e.sender}\u0000${e.is_from_me}\u0000${type}`;
    if (e.is_reaction_add !== false) {
      if (e.reaction_emoji === undefined) continue;
      current.delete(key);
      current.set(key, {
        id: e.id,
        type,
        emoji: e.reaction_emoji,
        sender: e.sender,
        is_from_me: e.is_from_me,
        created_at: e.created_at,
        ...(e.sender_name !== undefined ? { sender_name: e.sender_name } : {}),
      });
    } else if (current.has(key) && (type !== 'custom' || e.reaction_emoji === undefined || current.get(key)!.emoji === e.reaction_emoji)) {
      current.delete(key);
    }
  }
  return [...current.values()];
}

/** Groups tapback rows by the guid they point at, then aggregates each group. */
export function reactionsByTarget(events: readonly HubMessage[]): Map<string, ImsgReaction[]> {
  const groups = new Map<string, HubMessage[]>();
  for (const e of events) {
    const target = e.reacted_to_guid;
    if (!target) continue;
    const list = groups.get(target) ?? [];
    list.push(e);
    groups.set(target, list);
  }
  const out = new Map<string, ImsgReaction[]>();
  for (const [guid, list] of groups) out.set(guid, aggregateReactions(list));
  return out;
}
