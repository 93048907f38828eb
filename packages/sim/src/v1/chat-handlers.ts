import { DeliveryFailure, imsgError, imsgV1Error, ParamKeys, StrictParams, unionKeys } from '@imsg-hub/imsg-protocol';
import { normalizeHandle } from '../handle.js';
import { invokeBridge, stageFile, type BridgeOperation } from './bridge-dispatch.js';
import { knownChatGuid, requireKnownChat, resolveChatGuid } from './chat-target.js';
import { existingDirectChat } from './send-handler.js';
import type { V1Context, V1Handler } from './v1-context.js';

// typing, read, handles.check and chat/group management (reference/imsg-protocol-v1.md §3.20–3.25).

/** The chat `typing` / `read` act on: a selector, or a `to` handle's direct chat. */
function chatOf(ctx: V1Context, params: StrictParams, serviceRaw: string | undefined): string {
  const input = params.recipientOrChatTarget();
  const reader = input.chatId !== undefined ? ctx.db.require() : ctx.db.available();
  if (input.chatId !== undefined) {
    const chat = reader!.chatRow(input.chatId);
    if (!chat) throw imsgError.invalidParams(`unknown chat_id ${input.chatId}`);
    const id = chat.guid || chat.identifier;
    if (!id) throw imsgError.invalidParams('missing chat identifier or guid');
    return id;
  }
  if (input.chatGuid || input.chatIdentifier) return input.chatGuid || input.chatIdentifier;
  if (serviceRaw === undefined) return input.recipient; // read: the raw handle
  const service = serviceRaw.toLowerCase();
  if (service !== 'imessage' && service !== 'sms' && service !== 'auto') throw imsgError.invalidParams(serviceRaw);
  const handle = normalizeHandle(input.recipient);
  const direct = existingDirectChat(reader, handle, service);
  return direct?.guid || `${service === 'sms' ? 'SMS' : 'iMessage'};-;${input.recipient}`;
}

export const typing: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'typing', unionKeys(ParamKeys.chatTarget, ['to', 'typing', 'service']));
  const on = params.boolean('typing') ?? true;
  const serviceRaw = params.string('service') ?? 'imessage';
  const chatGuid = chatOf(ctx, params, serviceRaw);
  // Bridge first, with a direct-IMCore fallback that needs no bridge (§3.20).
  ctx.actions.typing(ctx.account, knownChatGuid(ctx, chatGuid) ?? chatGuid, on);
  return { ok: true };
};

export const read: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'read', unionKeys(ParamKeys.chatTarget, ['to']));
  const target = chatOf(ctx, params, undefined);
  const guid = knownChatGuid(ctx, target) ?? knownChatGuid(ctx, `iMessage;-;${normalizeHandle(target)}`);
  if (guid) ctx.actions.markRead(ctx.account, guid);
  return { ok: true };
};

export const handlesCheck: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'handles.check', ['address', 'alias_type', 'service']);
  const address = params.string('address') ?? '';
  if (address === '') throw imsgError.invalidParams('address is required');
  const aliasType = (params.string('alias_type') ?? (address.includes('@') ? 'email' : 'phone')).toLowerCase();
  if (aliasType !== 'phone' && aliasType !== 'email') throw imsgError.invalidParams('alias_type must be phone or email');
  const service = params.string('service') ?? 'iMessage';
  if (service.toLowerCase() !== 'imessage') throw imsgError.invalidParams('handles.check only supports service iMessage');
  if (!ctx.bridge.ready) throw imsgV1Error.bridgeUnavailable();
  const normalized = normalizeHandle(address);
  const smsOnly = Boolean(ctx.db.available()?.findChat({ guid: `SMS;-;${normalized}` })) && !ctx.db.available()?.findChat({ guid: `iMessage;-;${normalized}` });
  // World accounts are reachable over iMessage; others too unless local history says SMS-only.
  const available = ctx.world.ownerOf(normalized) !== undefined || !smsOnly;
  return {
    ok: true,
    address,
    alias_type: aliasType,
    destination: aliasType === 'email' ? `mailto:${normalized}` : `tel:${normalized}`,
    id_status: available ? 1 : 2,
    available,
    service: 'iMessage',
  };
};

/** A group action on the chat the selector names (group.*). */
function groupAction(
  method: string,
  operation: BridgeOperation,
  extraKeys: string[],
  act: (ctx: V1Context, chat: string, params: StrictParams) => void,
): V1Handler {
  return (ctx, call) => {
    const params = new StrictParams(call.params, method, unionKeys(ParamKeys.chatTarget, extraKeys));
    if (method === 'group.rename' && params.string('name') === undefined) throw imsgError.invalidParams('name is required');
    if (method === 'group.addParticipant' || method === 'group.removeParticipant') {
      if (!params.string('address')) throw imsgError.invalidParams('address is required');
    }
    const file = method === 'group.setIcon' ? params.string('file') : undefined;
    const chatGuid = resolveChatGuid(ctx, params);
    if (file) stageFile(file, operation);
    return invokeBridge(ctx, operation, true, () => {
      act(ctx, requireKnownChat(ctx, chatGuid), params);
      return { ok: true };
    });
  };
}

export const groupRename = groupAction('group.rename', 'set-display-name', ['name'], (ctx, chat, p) =>
  ctx.actions.rename(ctx.account, chat, p.string('name')!),
);
export const groupAddParticipant = groupAction('group.addParticipant', 'add-participant', ['address'], (ctx, chat, p) =>
  ctx.actions.member(ctx.account, chat, normalizeHandle(p.string('address')!), true),
);
export const groupRemoveParticipant = groupAction('group.removeParticipant', 'remove-participant', ['address'], (ctx, chat, p) =>
  ctx.actions.member(ctx.account, chat, normalizeHandle(p.string('address')!), false),
);
export const groupLeave = groupAction('group.leave', 'leave-chat', [], (ctx, chat) => ctx.actions.leave(ctx.account, chat));
export const groupSetIcon = groupAction('group.setIcon', 'update-group-photo', ['file'], (ctx, chat, p) =>
  ctx.actions.groupPhoto(ctx.account, chat, !p.string('file')),
);

export const chatsMarkUnread: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'chats.markUnread', ParamKeys.chatTarget);
  const chatGuid = resolveChatGuid(ctx, params);
  return invokeBridge(ctx, 'mark-chat-unread', true, () => {
    ctx.actions.markUnread(ctx.account, requireKnownChat(ctx, chatGuid));
    return { ok: true };
  });
};

/**
 * A bridge action the simulator does not perform (its selector is false in status): validated,
 * then refused before dispatch (`not_started`, retry-safe) — nothing was sent, so nothing is unknown.
 */
export function notSimulated(operation: BridgeOperation, keys: readonly string[], mutation = true, validate?: (p: StrictParams) => void): V1Handler {
  return (ctx, call) => {
    const method = call.method;
    const params = new StrictParams(call.params, method, keys);
    validate?.(params);
    if (keys.includes('chat_id')) resolveChatGuid(ctx, params);
    if (!mutation) throw imsgV1Error.bridgeUnavailable();
    return invokeBridge(ctx, operation, true, () => {
      throw new DeliveryFailure('not_started', 'bridge_v2', operation, `imsg-sim does not simulate ${method}; its bridge selector is false in status`);
    });
  };
}

export const chatsCreate: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'chats.create', ['addresses', 'service', 'name', 'text']);
  const addresses = (params.stringArray('addresses') ?? []).map((a) => a.trim()).filter((a) => a !== '');
  if (addresses.length === 0) throw imsgError.invalidParams('addresses is required (non-empty array of phone/email)');
  const service = params.string('service') ?? 'iMessage';
  if (service.toLowerCase() !== 'imessage') throw imsgError.invalidParams('service must be iMessage');
  params.string('name');
  params.string('text');
  return notSimulated('create-chat', ['addresses', 'service', 'name', 'text'])(ctx, call);
};
