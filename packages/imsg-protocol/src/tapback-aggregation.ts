import type { ImsgReaction } from './message.js';

/** One tapback row, in whatever store it was read from, reduced to what aggregation needs. */
export interface TapbackEvent {
  /** The tapback kind; undefined for a custom tapback whose kind could not be decoded. */
  type: string | undefined;
  /** true adds (2000–2006), false removes (3000–3006). */
  add: boolean;
  /** The emoji; undefined when a custom tapback's emoji is unknown. */
  emoji: string | undefined;
  id: number;
  sender: string;
  is_from_me: boolean;
  created_at: string;
  sender_name?: string | undefined;
}

/**
 * imsg's aggregation of tapback rows into a message's current `reactions` (reference §3.2), over
 * events already in date order: an add keyed by (sender, is_from_me, type) inserts or replaces; a
 * removal deletes the key (a custom removal only when its emoji matches or it names none). An add
 * without a known type or emoji is skipped; a removal without a type removes the custom one.
 * The simulator feeds it chat.db rows, the facade hub messages.
 */
export function aggregateTapbacks(events: Iterable<TapbackEvent>): ImsgReaction[] {
  const current = new Map<string, ImsgReaction>();
  for (const e of events) {
    const type = e.type ?? (e.add ? undefined : 'custom');
    if (type === undefined) continue;
    const key = `${e.sender}\u0000${e.is_from_me}\u0000${type}`;
    if (e.add) {
      if (e.emoji === undefined) continue;
      current.delete(key); // a replacement moves to the end, as imsg orders them
      current.set(key, {
        id: e.id,
        type,
        emoji: e.emoji,
        sender: e.sender,
        is_from_me: e.is_from_me,
        created_at: e.created_at,
        ...(e.sender_name !== undefined ? { sender_name: e.sender_name } : {}),
      });
    } else if (current.has(key) && (type !== 'custom' || e.emoji === undefined || current.get(key)!.emoji === e.emoji)) {
      current.delete(key);
    }
  }
  return [...current.values()];
}
