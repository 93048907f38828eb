import type { HubMessage } from '@imsg-hub/hub-protocol';
import { aggregateTapbacks, type ImsgReaction } from '@imsg-hub/imsg-protocol';

/**
 * The current `reactions` of one message from its tapback rows (imsg's rules, reference §3.2, in
 * `aggregateTapbacks`): rows in date order; copies of one tapback seen by two of our accounts
 * (same guid) count once. Ids are hub ids.
 */
export function aggregateReactions(events: readonly HubMessage[]): ImsgReaction[] {
  const seen = new Set<string>();
  const ordered = events
    .filter((e) => e.is_reaction === true && (e.guid === '' || (!seen.has(e.guid) && seen.add(e.guid))))
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
  return aggregateTapbacks(
    ordered.map((e) => ({
      type: e.reaction_type,
      add: e.is_reaction_add !== false,
      emoji: e.reaction_emoji,
      id: e.id,
      sender: e.sender,
      is_from_me: e.is_from_me,
      created_at: e.created_at,
      sender_name: e.sender_name,
    })),
  );
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
