import { imsgError, ParamKeys, POLL_VOTE_KEYS, unionKeys, type StrictParams } from '@imsg-hub/imsg-protocol';
import { notSimulated } from './chat-handlers.js';

// Methods of 0.15's table whose effects the simulator cannot reproduce faithfully (poll payloads
// are an undocumented binary format; stickers, chat deletion and Name & Photo are not modelled).
// Their selectors are false in status, so `methods` never lists them; a call is validated as imsg
// validates it, then refused before dispatch (`not_started`).

function pollSendChecks(p: StrictParams): void {
  p.string('question');
  const options = p.stringArray('options', ['option']);
  if (options === undefined) throw imsgError.invalidParams('options is required');
  if (options.map((o) => o.trim()).filter((o) => o !== '').length < 2) throw imsgError.invalidParams('at least two poll options are required');
  const comment = p.string('comment');
  const suppress = p.boolean('suppress_comment', ['suppressComment']) ?? false;
  if (comment !== undefined && suppress) throw imsgError.invalidParams('comment and suppress_comment are mutually exclusive');
}

function pollVoteChecks(p: StrictParams): void {
  if (!p.string('poll_guid', ['pollGuid'])) throw imsgError.invalidParams('poll_guid is required');
  p.string('creatorHandle');
  const chosen = [p.has('option_id') || p.has('optionId') || p.has('optionIdentifier'), p.has('option_index') || p.has('optionIndex'), p.has('option')];
  p.string('option_id', ['optionId', 'optionIdentifier']);
  p.integer('option_index', ['optionIndex']);
  p.string('option');
  if (chosen.filter(Boolean).length !== 1) throw imsgError.invalidParams('exactly one of option_id, option_index, or option is required');
}

function stickerChecks(p: StrictParams): void {
  if (!p.string('file')) throw imsgError.invalidParams('file is required');
  const attachTo = p.string('attach_to');
  const part = p.integer('part_index', ['partIndex']);
  if (part !== undefined && (part < 0 || !attachTo)) throw imsgError.invalidParams('part_index must be a non-negative integer with attach_to');
}

export const pollSend = notSimulated(
  'create-poll',
  unionKeys(ParamKeys.chatTarget, ['question', 'options', 'option', 'comment', 'suppress_comment', 'suppressComment']),
  true,
  pollSendChecks,
);
export const pollVote = notSimulated('vote-poll', POLL_VOTE_KEYS, true, pollVoteChecks);
export const pollUnvote = notSimulated('vote-poll', POLL_VOTE_KEYS, true, pollVoteChecks);
export const sendSticker = notSimulated('send-sticker', unionKeys(ParamKeys.chatTarget, ['file', 'attach_to', ...ParamKeys.partIndex]), true, stickerChecks);
export const chatsDelete = notSimulated('delete-chat', ParamKeys.chatTarget);
export const contactsShouldShare = notSimulated('should-offer-nickname-sharing', ParamKeys.chatTarget, false);
export const contactsShare = notSimulated('share-nickname', ParamKeys.chatTarget);
