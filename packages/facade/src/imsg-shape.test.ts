import type { HubChat, HubMessage } from '@imsg-hub/hub-protocol';
import { ChatDetailSchema, ImsgChatSchema, ImsgChatV1Schema, ImsgMessageSchema, ImsgMessageV1Schema } from '@imsg-hub/imsg-protocol';
import { describe, expect, it } from 'vitest';
import { stripAttachment, toImsgChat, toImsgChatDetail, toImsgMessage } from './imsg-shape.js';

const hubMessage: HubMessage = {
  id: 41,
  chat_id: 7,
  guid: 'G',
  sender: '+1555',
  is_from_me: false,
  text: 'hi',
  created_at: '2026-05-16T15:24:36.123Z',
  attachments: [],
  reactions: [{ id: 3, type: 'like', emoji: '👍', sender: '+1', is_from_me: false, created_at: '2026-05-16T15:24:36.123Z' }],
  chat_identifier: '+1555',
  chat_guid: 'iMessage;-;+1555',
  chat_name: '',
  participants: ['+1555'],
  is_group: false,
  destination_caller_id: 'me@x.com',
  account: 'work',
  accounts: ['work', 'home'],
  native_id: 1979,
  native_chat_id: 42,
  replay: true,
  send_key: 'k',
};

describe('imsg shapes', () => {
  it('a message: imsg’s keys, hub ids, the account; no hub bookkeeping', () => {
    const m = toImsgMessage(hubMessage, { attachments: [], reactions: [] });
    expect(ImsgMessageSchema.safeParse(m).success).toBe(true);
    expect(m).toMatchObject({ id: 41, chat_id: 7, account: 'work', reactions: [] });
    for (const key of ['accounts', 'native_id', 'native_chat_id', 'replay', 'send_key']) expect(m).not.toHaveProperty(key);
  });
  it('a chat: imsg’s keys plus account', () => {
    const chat: HubChat = {
      id: 7,
      identifier: '+1555',
      guid: 'iMessage;-;+1555',
      name: '',
      service: 'iMessage',
      last_message_at: '2026-05-16T15:24:36.123Z',
      participants: ['+1555'],
      is_group: false,
      account: 'work',
      accounts: ['work'],
      native_id: 42,
      ref: 'work:chat_id:7',
    };
    const c = toImsgChat(chat);
    expect(ImsgChatSchema.safeParse(c).success).toBe(true);
    expect(Object.keys(c).sort()).toEqual(['account', 'guid', 'id', 'identifier', 'is_group', 'last_message_at', 'name', 'participants', 'service']);
  });
  it('read state and native ROWIDs from an imsg 0.15 agent never leak; 0.15-only keys only to 0.15 clients', () => {
    const from015 = {
      ...hubMessage,
      is_read: false,
      date_read: '2026-05-16T15:25:00.000Z',
      url_preview: { id: 1980, guid: 'P', balloon_bundle_id: 'com.apple.messages.URLBalloonProvider', created_at: '2026-05-16T15:24:37.000Z' },
      cursor: 1980,
      thread_originator_part: '0:0:2',
      balloon_bundle_id: 'com.apple.messages.URLBalloonProvider',
    } as HubMessage;
    const v09 = toImsgMessage(from015, { attachments: [], reactions: [] }, '0.9.0');
    const v15 = toImsgMessage(from015, { attachments: [], reactions: [] }, '0.15.10');
    for (const key of ['is_read', 'date_read', 'url_preview', 'cursor']) {
      expect(v09).not.toHaveProperty(key);
      expect(v15).not.toHaveProperty(key);
    }
    for (const key of ['thread_originator_part', 'balloon_bundle_id']) expect(v09).not.toHaveProperty(key);
    expect(v15).toMatchObject({ thread_originator_part: '0:0:2', balloon_bundle_id: 'com.apple.messages.URLBalloonProvider' });
    expect(ImsgMessageV1Schema.safeParse(v15).success).toBe(true);
  });
  it('a 0.15 chat: no empty guid, a display name, no unread count; chats.get detail', () => {
    const chat = {
      id: 8,
      identifier: 'chat123',
      guid: '',
      name: 'Book club',
      service: 'iMessage',
      last_message_at: '2026-05-16T15:24:36.123Z',
      participants: ['+1555', '+1666'],
      is_group: true,
      account: 'work',
      accounts: ['work'],
      native_id: 42,
      ref: 'work:chat_id:8',
      unread_count: 3,
    } as HubChat;
    const c = toImsgChat(chat, '0.15.10');
    expect(ImsgChatV1Schema.safeParse(c).success).toBe(true);
    expect(c).not.toHaveProperty('guid');
    expect(c).not.toHaveProperty('unread_count');
    expect(c).toMatchObject({ display_name: 'Book club', account: 'work' });
    expect(toImsgChat(chat, '0.9.0')).not.toHaveProperty('display_name');
    const detail = toImsgChatDetail(chat);
    expect(ChatDetailSchema.safeParse(detail).success).toBe(true);
    expect(detail).toEqual({
      id: 8,
      identifier: 'chat123',
      guid: '',
      name: 'Book club',
      service: 'iMessage',
      is_group: true,
      participants: ['+1555', '+1666'],
      account: 'work',
    });
  });
  it('attachments lose blob and blob_state', () => {
    const a = {
      filename: '~/Library/Messages/Attachments/x/IMG.heic',
      transfer_name: 'IMG.heic',
      uti: 'public.heic',
      mime_type: 'image/heic',
      total_bytes: 3,
      is_sticker: false,
      original_path: '/Users/me/IMG.heic',
      missing: false,
      blob: 'ab',
      blob_state: 'stored' as const,
    };
    expect(Object.keys(stripAttachment(a)).sort()).toEqual([
      'filename',
      'is_sticker',
      'mime_type',
      'missing',
      'original_path',
      'total_bytes',
      'transfer_name',
      'uti',
    ]);
  });
});
