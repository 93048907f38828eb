import type { ChatRecord } from '@imsg-hub/store';
import { describe, expect, it } from 'vitest';
import { UnreadBook } from './unread-book.js';

const chat = (id: number, account: string, guid: string): ChatRecord => ({
  id,
  account,
  guid,
  nativeId: id,
  identifier: guid,
  name: '',
  service: 'iMessage',
  isGroup: true,
  participants: [],
  conversationId: 1,
  lastSeq: 0,
  lastMessageAt: '',
});

describe('UnreadBook', () => {
  it('counts a conversation by the account that read least, replaces reports whole, and knows nothing unreported', () => {
    const book = new UnreadBook();
    const alice = chat(1, 'alice', 'iMessage;+;g1');
    const bob = chat(2, 'bob', 'iMessage;+;g1');
    expect(book.of([alice, bob])).toBeUndefined();
    book.report('alice', [{ guid: 'iMessage;+;g1', unread: 3 }]);
    expect(book.of([alice, bob])).toBe(3);
    book.report('bob', [{ guid: 'iMessage;+;g1', unread: 5 }]);
    expect(book.of([alice, bob])).toBe(5); // not 8: the same messages in both accounts
    expect(book.of([alice])).toBe(3);
    book.report('bob', []); // the chat dropped out of bob's recent chats: unknown, not 0
    expect(book.of([bob])).toBeUndefined();
    expect(book.of([alice, bob])).toBe(3);
  });
});
