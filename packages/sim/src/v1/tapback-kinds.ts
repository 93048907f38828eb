import { imsgError } from '@imsg-hub/imsg-protocol';

/** The six classic kinds as the `tapback` RPC names them (note `emphasize`, where payloads say `emphasis`). */
export const TAPBACK_KINDS = ['love', 'like', 'dislike', 'laugh', 'emphasize', 'question'] as const;
export type TapbackKind = (typeof TAPBACK_KINDS)[number];

const SPELLINGS: Record<string, TapbackKind> = {
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

/** normalizeBridgeReactionType (§3.18): trimmed, lower-cased, `remove-` honoured; `love` or `remove-love`. */
export function normalizeTapback(raw: string, remove: boolean): string {
  let value = raw.trim().toLowerCase();
  if (value === '') throw imsgError.invalidParams('reaction, kind, or emoji is required');
  let removing = remove;
  if (value.startsWith('remove-')) {
    removing = true;
    value = value.slice('remove-'.length);
  }
  const kind = SPELLINGS[value];
  if (!kind) throw imsgError.invalidParams(`unsupported tapback reaction ${raw}; use love, like, dislike, laugh, emphasize, or question`);
  return removing ? `remove-${kind}` : kind;
}

/** `love` → 2000 … `question` → 2005; `remove-…` → 3000–3005. */
export function reactionCodeFor(normalized: string): number {
  const remove = normalized.startsWith('remove-');
  const kind = (remove ? normalized.slice('remove-'.length) : normalized) as TapbackKind;
  return (remove ? 3000 : 2000) + TAPBACK_KINDS.indexOf(kind);
}
