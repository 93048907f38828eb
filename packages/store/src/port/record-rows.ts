import type { AccountRecord, ChatRecord, MessageRecord, StoredBody } from './records.js';

// Rows of the accounts, chats and messages tables as both adapters read them, and the one mapping
// of each to its record. `J` is how the driver returns a JSON column (SQLite: text, PostgreSQL:
// parsed) and `B` a boolean one (SQLite: 0/1, PostgreSQL: boolean); the adapter passes `json`.

export interface AccountRow {
  name: string;
  epoch: number;
  hwm: number;
  last_row_at: string | null;
  message_count: number;
}

export const accountRecord = (r: AccountRow): AccountRecord => ({
  name: r.name,
  epoch: r.epoch,
  hwm: r.hwm,
  lastRowAt: r.last_row_at ?? undefined,
  messageCount: r.message_count,
});

export interface ChatRow<J, B = boolean | number> {
  id: number;
  account: string;
  guid: string;
  native_id: number;
  identifier: string;
  name: string;
  service: string;
  is_group: B;
  participants: J;
  conversation_id: number;
  last_seq: number;
  last_message_at: string;
}

export function chatRecord<J>(r: ChatRow<J>, json: (v: J) => unknown): ChatRecord {
  return {
    id: r.id,
    account: r.account,
    guid: r.guid,
    nativeId: r.native_id,
    identifier: r.identifier,
    name: r.name,
    service: r.service,
    isGroup: truthy(r.is_group),
    participants: json(r.participants) as string[],
    conversationId: r.conversation_id,
    lastSeq: r.last_seq,
    lastMessageAt: r.last_message_at,
  };
}

export interface MessageRow<J, B = boolean | number> {
  seq: number;
  account: string;
  epoch: number;
  native_id: number;
  chat_id: number;
  guid: string;
  dup_of: number | null;
  is_from_me: B;
  is_reaction: B;
  replay: B;
  send_key: string | null;
  body: J;
  received_at: string;
}

export function messageRecord<J>(r: MessageRow<J>, json: (v: J) => unknown): MessageRecord {
  return {
    seq: r.seq,
    account: r.account,
    epoch: r.epoch,
    nativeId: r.native_id,
    chatId: r.chat_id,
    guid: r.guid,
    dupOf: r.dup_of ?? undefined,
    isFromMe: truthy(r.is_from_me),
    isReaction: truthy(r.is_reaction),
    replay: truthy(r.replay),
    sendKey: r.send_key ?? undefined,
    body: json(r.body) as StoredBody,
    receivedAt: r.received_at,
  };
}

/** A boolean column: PostgreSQL's boolean or SQLite's 0/1. */
const truthy = (v: boolean | number): boolean => v === true || v === 1;
