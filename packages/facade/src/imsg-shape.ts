import type { HubAttachment, HubChat, HubMessage } from '@imsg-hub/hub-protocol';
import type { ImsgAttachment, ImsgChat, ImsgMessage, ImsgReaction } from '@imsg-hub/imsg-protocol';
import type { ImsgVersion } from './status.js';

// The hub's objects are imsg's plus routing metadata. imsg clients get imsg's keys (reference
// imsg-protocol.md §2.1, §3.1, §3.3; imsg-protocol-v1.md §4) with hub ids in `id`/`chat_id`, plus
// `account`.

/** A message as the facade emits it: imsg's keys and the account it belongs to. */
export type FacadeMessage = ImsgMessage & { account: string };
/** A chat as the facade lists it. */
export type FacadeChat = ImsgChat & { account: string };

const HUB_MESSAGE_KEYS = ['accounts', 'native_id', 'native_chat_id', 'replay', 'send_key'] as const;
const HUB_CHAT_KEYS = ['accounts', 'native_id', 'ref'] as const;

/**
 * Keys an imsg 0.15 agent may have stored that are never passed on: `is_read`/`date_read` and a
 * chat's `unread_count` are chat.db snapshots from when the row was read (imsg re-reads them on
 * every request; the hub cannot), and `url_preview.id` / `cursor` are native ROWIDs.
 */
const SNAPSHOT_KEYS = ['is_read', 'date_read', 'url_preview', 'cursor'] as const;
/** Message keys 0.10–0.15 added: a client of imsg 0.9.0 never sees them. */
const V1_MESSAGE_KEYS = ['thread_originator_part', 'balloon_bundle_id', 'poll'] as const;
/** Chat keys 0.13–0.15 added. */
const V1_CHAT_KEYS = ['display_name', 'account_id', 'account_login', 'last_addressed_handle'] as const;

/** Drops the hub's bookkeeping from an attachment (`blob`, `blob_state`). */
export function stripAttachment(a: HubAttachment): ImsgAttachment {
  const { blob: _blob, blob_state: _state, ...rest } = a;
  return rest;
}

/**
 * imsg's message shape from a hub message, as the imsg `version` the facade plays has it.
 * `attachments` and `reactions` are the ones the caller computed (imsg fills them only when asked);
 * every hub-only key is dropped.
 */
export function toImsgMessage(
  m: HubMessage,
  parts: { attachments: ImsgAttachment[]; reactions: ImsgReaction[] },
  version: ImsgVersion = '0.9.0',
): FacadeMessage {
  const out: Record<string, unknown> = { ...m, attachments: parts.attachments, reactions: parts.reactions };
  for (const key of HUB_MESSAGE_KEYS) delete out[key];
  for (const key of SNAPSHOT_KEYS) delete out[key];
  if (version === '0.9.0') for (const key of V1_MESSAGE_KEYS) delete out[key];
  return out as FacadeMessage;
}

/** imsg's chat shape (`chats.list`) from a hub chat. 0.15: `guid` omitted when empty, `display_name` always. */
export function toImsgChat(c: HubChat, version: ImsgVersion = '0.9.0'): FacadeChat {
  const out: Record<string, unknown> = { ...c };
  for (const key of HUB_CHAT_KEYS) delete out[key];
  delete out['unread_count'];
  if (version === '0.9.0') {
    for (const key of V1_CHAT_KEYS) delete out[key];
  } else {
    if (out['guid'] === '') delete out['guid'];
    out['display_name'] ??= c.name;
  }
  return out as FacadeChat;
}

/** `chats.get`'s chat detail (imsg 0.15 §4.2): `guid` always present, no dates or counts. */
export function toImsgChatDetail(c: HubChat): Record<string, unknown> {
  const { id, identifier, guid, name, service, is_group, participants, account } = c;
  const detail: Record<string, unknown> = { id, identifier, guid, name, service, is_group, participants, account };
  for (const key of ['account_id', 'account_login', 'last_addressed_handle'] as const) {
    const v = (c as Record<string, unknown>)[key];
    if (typeof v === 'string' && v !== '') detail[key] = v;
  }
  return detail;
}
