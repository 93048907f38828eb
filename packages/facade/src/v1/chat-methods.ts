import { imsgError, ParamKeys, POLL_VOTE_KEYS, StrictParams, unionKeys } from '@imsg-hub/imsg-protocol';
import { uploadFile } from '../hub-submit.js';
import { localPath } from '../send-plan.js';
import type { Operation } from './delivery-outcome.js';
import { callTimeout, hubChatOf, hubMutation } from './hub-mutation.js';
import type { V1Handler } from './v1-handler.js';

// group.* and poll.* of imsg 0.15 (reference/imsg-protocol-v1.md §3.22–3.23) mapped onto the hub's
// group.rename / add_member / remove_member / leave / set_icon and poll.send / vote / unvote: the
// chat by hub id, guid or identifier, the account from the facade's view (per-account mode) or the
// hub's route among the member accounts, exactly once under a fresh idempotency key.

const bridgeOp = (operation: string, noun: string): Operation => ({ transport: 'bridge_v2', operation, noun });

/** `group.rename {name}`: a name is required (an empty one clears it). */
export const groupRename: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'group.rename', unionKeys(ParamKeys.chatTarget, ['name']));
  const name = params.string('name');
  if (name === undefined) throw imsgError.invalidParams('name is required');
  const chat = await hubChatOf(ctx, params, deadline);
  await hubMutation(ctx, deadline, bridgeOp('set-display-name', 'the rename'), (c, p) =>
    c.call('group.rename', { ...chat, ...ctx.view.scope(), name, ...p }, callTimeout(p)),
  );
  return { ok: true };
};

function memberMethod(method: 'group.addParticipant' | 'group.removeParticipant'): V1Handler {
  const add = method === 'group.addParticipant';
  const op = bridgeOp(add ? 'add-participant' : 'remove-participant', add ? 'adding the member' : 'removing the member');
  return async (ctx, call, deadline) => {
    const params = new StrictParams(call.params, method, unionKeys(ParamKeys.chatTarget, ['address']));
    const address = params.string('address')?.trim();
    if (!address) throw imsgError.invalidParams('address is required');
    const chat = await hubChatOf(ctx, params, deadline);
    await hubMutation(ctx, deadline, op, (c, p) =>
      c.call(add ? 'group.add_member' : 'group.remove_member', { ...chat, ...ctx.view.scope(), address, ...p }, callTimeout(p)),
    );
    return { ok: true };
  };
}

export const groupAddParticipant = memberMethod('group.addParticipant');
export const groupRemoveParticipant = memberMethod('group.removeParticipant');

export const groupLeave: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'group.leave', ParamKeys.chatTarget);
  const chat = await hubChatOf(ctx, params, deadline);
  await hubMutation(ctx, deadline, bridgeOp('leave-chat', 'leaving the group'), (c, p) =>
    c.call('group.leave', { ...chat, ...ctx.view.scope(), ...p }, callTimeout(p)),
  );
  return { ok: true };
};

/** `group.setIcon {file?}`: the photo is uploaded to the hub (the owning agent hands imsg its own copy); no file clears it. */
export const groupSetIcon: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(call.params, 'group.setIcon', unionKeys(ParamKeys.chatTarget, ['file']));
  const path = localPath(params.string('file') ?? '');
  const chat = await hubChatOf(ctx, params, deadline);
  await hubMutation(ctx, deadline, bridgeOp('update-group-photo', 'the group photo'), async (c, p) => {
    const file = path ? await uploadFile(ctx, c, path, deadline) : undefined;
    return c.call('group.set_icon', { ...chat, ...ctx.view.scope(), ...(file ? { file } : {}), ...p }, callTimeout(p));
  });
  return { ok: true };
};

/** `poll.send`: imsg's answer (poll options with their ids, the caption's fate) as the account's imsg gave it. */
export const pollSend: V1Handler = async (ctx, call, deadline) => {
  const params = new StrictParams(
    call.params,
    call.method,
    unionKeys(ParamKeys.chatTarget, ParamKeys.replyTarget, ['question', 'options', 'option', 'comment', 'suppress_comment', 'suppressComment']),
  );
  const question = params.string('question') ?? '';
  if (question.trim() === '') throw imsgError.invalidParams('question is required');
  const options = (params.stringArray('options', ['option']) ?? []).map((o) => o.trim()).filter((o) => o !== '');
  if (options.length < 2) throw imsgError.invalidParams('at least two poll options are required');
  const comment = params.string('comment') || undefined;
  const suppress = params.boolean('suppress_comment', ['suppressComment']) ?? false;
  if (comment !== undefined && suppress) throw imsgError.invalidParams('comment and suppress_comment are mutually exclusive');
  const replyTo = params.string('reply_to', ['replyTo', 'reply_to_guid', 'message_guid']) || undefined;
  const chat = await hubChatOf(ctx, params, deadline);
  const outcome = await hubMutation(ctx, deadline, bridgeOp('create-poll', 'the poll'), (c, p) =>
    c.call(
      'poll.send',
      {
        ...chat,
        ...ctx.view.scope(),
        question,
        options,
        ...(comment ? { comment } : {}),
        ...(suppress ? { suppress_comment: true } : {}),
        ...(replyTo ? { reply_to: replyTo } : {}),
        ...p,
      },
      callTimeout(p),
    ),
  );
  return { ...outcome.result, ok: true };
};

function voteMethod(unvote: boolean): V1Handler {
  return async (ctx, call, deadline) => {
    const params = new StrictParams(call.params, call.method, POLL_VOTE_KEYS);
    const poll = params.string('poll_guid', ['pollGuid'])?.trim();
    if (!poll) throw imsgError.invalidParams('poll_guid is required');
    params.string('creatorHandle');
    params.chatTarget();
    const optionId = params.string('option_id', ['optionId', 'optionIdentifier']);
    const optionIndex = params.integer('option_index', ['optionIndex']);
    const optionText = params.string('option');
    const chosen = [optionId, optionIndex, optionText].filter((o) => o !== undefined);
    if (chosen.length !== 1) throw imsgError.invalidParams('exactly one of option_id, option_index, or option is required');
    if (optionIndex !== undefined && optionIndex < 1) throw imsgError.invalidParams('option_index must be a positive integer');
    const option = optionId !== undefined ? { option_id: optionId } : optionIndex !== undefined ? { option_index: optionIndex } : { option: optionText! };
    const outcome = await hubMutation(ctx, deadline, bridgeOp('vote-poll', unvote ? 'taking back the vote' : 'the vote'), (c, p) =>
      c.call(unvote ? 'poll.unvote' : 'poll.vote', { guid: poll, ...ctx.view.scope(), ...option, ...p }, callTimeout(p)),
    );
    return { ...outcome.result, ok: true };
  };
}

export const pollVote = voteMethod(false);
export const pollUnvote = voteMethod(true);
