import { imsgError } from '../imsg-error.js';

/** The six classic kinds as imsg 0.15's `tapback` RPC names them (`emphasize`, where payloads say `emphasis`). */
export const TAPBACK_REACTIONS = ['love', 'like', 'dislike', 'laugh', 'emphasize', 'question'] as const;
export type TapbackReaction = (typeof TAPBACK_REACTIONS)[number];

/** Every spelling `tapback` accepts for each kind (reference/imsg-protocol-v1.md §3.18). */
const SPELLINGS: Readonly<Record<string, TapbackReaction>> = {
  love: 'love',
  heart: 'love',
  '❤️': 'love',
  '❤': 'love',
  like: 'like',
  thumbsup: 'like',
  'thumbs-up': 'like',
  '+1': 'like',
  '👍': 'like',
  dislike: 'dislike',
  thumbsdown: 'dislike',
  'thumbs-down': 'dislike',
  '-1': 'dislike',
  '👎': 'dislike',
  laugh: 'laugh',
  haha: 'laugh',
  lol: 'laugh',
  '😂': 'laugh',
  '🤣': 'laugh',
  emphasize: 'emphasize',
  emphasis: 'emphasize',
  '!!': 'emphasize',
  '‼': 'emphasize',
  '‼️': 'emphasize',
  question: 'question',
  '?': 'question',
  '❓': 'question',
};

/** A classic tapback as the bridge takes it: the kind, and whether it removes one. */
export interface NormalizedTapback {
  kind: TapbackReaction;
  remove: boolean;
}

/**
 * imsg 0.15's reaction normalisation: trimmed, lower-cased, an optional `remove-` prefix honoured.
 * Throws imsg's -32602 texts for an empty or unknown reaction.
 */
export function normalizeTapbackReaction(raw: string, remove: boolean): NormalizedTapback {
  let value = raw.trim().toLowerCase();
  if (value === '') throw imsgError.invalidParams('reaction, kind, or emoji is required');
  let removing = remove;
  if (value.startsWith('remove-')) {
    removing = true;
    value = value.slice('remove-'.length);
  }
  const kind = SPELLINGS[value];
  if (!kind) throw imsgError.invalidParams(`unsupported tapback reaction ${raw}; use love, like, dislike, laugh, emphasize, or question`);
  return { kind, remove: removing };
}

/** The `reaction` of a tapback result: `love`, or `remove-love`. */
export function tapbackResultName(t: NormalizedTapback): string {
  return t.remove ? `remove-${t.kind}` : t.kind;
}
