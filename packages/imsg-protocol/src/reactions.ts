import type { ReactionType } from './message.js';

/** `associated_message_type` 2000–2006 adds a tapback, 3000–3006 removes it (reference §8.4). */
export const REACTION_KINDS: readonly { type: ReactionType; emoji: string }[] = [
  { type: 'love', emoji: '❤️' },
  { type: 'like', emoji: '👍' },
  { type: 'dislike', emoji: '👎' },
  { type: 'laugh', emoji: '😂' },
  { type: 'emphasis', emoji: '‼️' },
  { type: 'question', emoji: '❓' },
  { type: 'custom', emoji: '' },
];

export function isReactionType(code: number | null | undefined): boolean {
  return code !== null && code !== undefined && ((code >= 2000 && code <= 2006) || (code >= 3000 && code <= 3006));
}

/** Decodes a reaction code to its kind and whether it adds or removes. */
export function decodeReaction(code: number): { type: ReactionType; emoji: string; add: boolean } | undefined {
  if (!isReactionType(code)) return undefined;
  const add = code < 3000;
  const kind = REACTION_KINDS[add ? code - 2000 : code - 3000]!;
  return { ...kind, add };
}

/** The code for adding (or removing) a tapback of a given type. */
export function reactionCode(type: ReactionType, add = true): number {
  const index = REACTION_KINDS.findIndex((k) => k.type === type);
  if (index < 0) throw new RangeError(`unknown reaction type ${type}`);
  return (add ? 2000 : 3000) + index;
}

/** `p:0/GUID` → `GUID`: imsg strips everything through the last `/`. */
export function stripPartPrefix(associatedGuid: string): string {
  const slash = associatedGuid.lastIndexOf('/');
  return slash >= 0 ? associatedGuid.slice(slash + 1) : associatedGuid;
}
