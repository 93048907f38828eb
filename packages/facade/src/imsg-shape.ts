import type { HubAttachment, HubChat, HubMessage } from '@imsg-hub/hub-protocol';
import type { ImsgAttachment, ImsgChat, ImsgMessage, ImsgReaction } from '@imsg-hub/imsg-protocol';

// The hub's objects are imsg's plus routing metadata. imsg clients get imsg's keys (reference
// imsg-protocol.md §2.1, §3.1, §3.3) with hub ids in `id`/`chat_id`, plus `account`.

/** A message as the facade emits it: imsg's keys and the account it belongs to. */
export type FacadeMessage = ImsgMessage & { account: string };
/** A chat as the facade lists it. */
export type FacadeChat = ImsgChat & { account: string };

const HUB_MESSAGE_KEYS = ['accounts', 'native_id', 'native_chat_id', 'replay', 'send_key'] as const;
const HUB_CHAT_KEYS = ['accounts', 'native_id', 'ref'] as const;

/** Drops the hub's bookkeeping from an attachment (`blob`, `blob_state`). */
export function stripAttachment(a: HubAttachment): ImsgAttachment {
  const { blob: _blob, blob_state: _state, ...rest } = a;
  return rest;
}

/**
 * imsg's message shape from a hub message. `attachments` and `reactions` are the ones the caller
 * computed (imsg fills them only when asked); every hub-only key is dropped.
 */
export function toImsgMessage(m: HubMessage, parts: { attachments: ImsgAttachment[]; reactions: ImsgReaction[] }): FacadeMessage {
  const out: Record<string, unknown> = { ...m, attachments: parts.attachments, reactions: parts.reactions };
  for (const key of HUB_MESSAGE_KEYS) delete out[key];
  return out as FacadeMessage;
}

/** imsg's chat shape (`chats.list`) from a hub chat. */
export function toImsgChat(c: HubChat): FacadeChat {
  const out: Record<string, unknown> = { ...c };
  for (const key of HUB_CHAT_KEYS) delete out[key];
  return out as FacadeChat;
}
