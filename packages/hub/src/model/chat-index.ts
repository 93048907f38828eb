import type { ChatRecord } from '@imsg-hub/store';

/** What the index needs of a message to file it under a chat. */
export interface ChatFacts {
  chat_id: number;
  chat_guid: string;
  chat_identifier: string;
  chat_name: string;
  participants: readonly string[];
  is_group?: boolean | undefined;
  created_at: string;
}

const inScope = (account: string, scope: readonly string[] | undefined) => !scope || scope.includes(account);
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Every chat in memory (there are few compared with messages), with the conversations that link
 * chats of several accounts (a group two of our accounts are in). Changes are collected in `dirty`
 * for the next commit; the ids of new chats come from the hub's counter.
 */
export class ChatIndex {
  readonly #byKey = new Map<string, ChatRecord>();
  readonly #byId = new Map<number, ChatRecord>();
  /** conversation id → its chats: representative() runs for every delivered message. */
  readonly #conversations = new Map<number, Set<ChatRecord>>();
  /** Group chat guid → its chats (one per account), for linking a new group copy. */
  readonly #byGuid = new Map<string, Set<ChatRecord>>();
  /** Chats created or changed since the last `takeDirty()`. */
  readonly #dirty = new Set<ChatRecord>();
  #nextId: number;

  constructor(chats: readonly ChatRecord[], maxId: number) {
    for (const c of chats) this.#add(c);
    this.#nextId = maxId + 1;
  }

  /** Files chats another writer added (ids above what this index knows). */
  absorb(chats: readonly ChatRecord[]): void {
    for (const c of chats) {
      if (this.#byId.has(c.id)) continue;
      this.#add(c);
      if (c.id >= this.#nextId) this.#nextId = c.id + 1;
    }
  }

  takeDirty(): ChatRecord[] {
    const out = [...this.#dirty].map((c) => ({ ...c, participants: [...c.participants] }));
    this.#dirty.clear();
    return out;
  }

  /** Finds or creates the chat of a message in an account; 0 when the row is in no chat. */
  upsert(account: string, m: ChatFacts, seq: number): number {
    if (m.chat_id === 0 && m.chat_guid === '' && m.chat_identifier === '') return 0;
    const guid = m.chat_guid !== '' ? m.chat_guid : `identifier:${m.chat_identifier}`;
    const found = this.#byKey.get(`${account}\u0000${guid}`);
    if (found) {
      if (
        found.nativeId !== m.chat_id ||
        found.name !== m.chat_name ||
        found.identifier !== m.chat_identifier ||
        !sameList(found.participants, m.participants)
      ) {
        Object.assign(found, { nativeId: m.chat_id, name: m.chat_name, identifier: m.chat_identifier, participants: [...m.participants] });
        this.#dirty.add(found);
      }
      if (seq > found.lastSeq) {
        found.lastSeq = seq;
        if (m.created_at > found.lastMessageAt) found.lastMessageAt = m.created_at;
        this.#dirty.add(found);
      }
      return found.id;
    }
    const id = this.#nextId++;
    const chat: ChatRecord = {
      id,
      account,
      guid,
      nativeId: m.chat_id,
      identifier: m.chat_identifier,
      name: m.chat_name,
      service: guid.split(';')[0] ?? '',
      isGroup: m.is_group === true,
      participants: [...m.participants],
      conversationId: id,
      lastSeq: seq,
      lastMessageAt: m.created_at,
    };
    this.#add(chat);
    this.#dirty.add(chat);
    // A group with the same chat guid in another of our accounts is the same conversation.
    if (chat.isGroup) {
      for (const other of [...(this.#byGuid.get(guid) ?? [])]) {
        if (other.account !== account) this.link(chat.id, other.id);
      }
    }
    return id;
  }

  /** Joins the conversations of two chats (they share a message guid, or a group guid). */
  link(a: number, b: number): void {
    const ca = this.#byId.get(a)?.conversationId;
    const cb = this.#byId.get(b)?.conversationId;
    if (!ca || !cb || ca === cb) return;
    const [keep, drop] = ca < cb ? [ca, cb] : [cb, ca];
    const kept = this.#conversations.get(keep)!;
    for (const c of this.#conversations.get(drop) ?? []) {
      c.conversationId = keep;
      kept.add(c);
      this.#dirty.add(c);
    }
    this.#conversations.delete(drop);
  }

  get(id: number): ChatRecord | undefined {
    return this.#byId.get(id);
  }

  isGroup(id: number): boolean {
    return this.#byId.get(id)?.isGroup === true;
  }

  /** The chat id that stands for a conversation among the accounts in view (its lowest id). */
  representative(chatId: number, scope: readonly string[] | undefined): number {
    const conv = this.#byId.get(chatId)?.conversationId;
    if (!conv) return chatId;
    let best = chatId;
    for (const c of this.#conversations.get(conv) ?? []) {
      if (c.id < best && inScope(c.account, scope)) best = c.id;
    }
    return best;
  }

  /** Ids of every chat in the same conversation (in view). */
  conversationMembers(chatId: number, scope: readonly string[] | undefined): number[] {
    const conv = this.#byId.get(chatId)?.conversationId;
    if (!conv) return [chatId];
    return [...(this.#conversations.get(conv) ?? [])].filter((c) => inScope(c.account, scope)).map((c) => c.id);
  }

  /** Chats matching every given field, newest activity first. */
  find(by: { account?: string | undefined; guid?: string | undefined; identifier?: string | undefined }): ChatRecord[] {
    const out: ChatRecord[] = [];
    for (const c of this.#byId.values()) {
      if (by.account && c.account !== by.account) continue;
      if (by.guid !== undefined && c.guid !== by.guid) continue;
      if (by.identifier !== undefined && c.identifier !== by.identifier) continue;
      out.push(c);
    }
    return out.sort((x, y) => y.lastMessageAt.localeCompare(x.lastMessageAt));
  }

  /** Chats in view, grouped by conversation (each group ascending id). */
  conversations(scope: readonly string[] | undefined, account: string | undefined): ChatRecord[][] {
    const groups = new Map<number, ChatRecord[]>();
    for (const c of this.#byId.values()) {
      if (!inScope(c.account, scope) || (account && c.account !== account)) continue;
      const list = groups.get(c.conversationId) ?? [];
      list.push(c);
      groups.set(c.conversationId, list);
    }
    return [...groups.values()].map((members) => members.sort((x, y) => x.id - y.id));
  }

  #add(c: ChatRecord): void {
    this.#byKey.set(`${c.account}\u0000${c.guid}`, c);
    this.#byId.set(c.id, c);
    const conv = this.#conversations.get(c.conversationId) ?? new Set<ChatRecord>();
    conv.add(c);
    this.#conversations.set(c.conversationId, conv);
    if (c.isGroup) {
      const same = this.#byGuid.get(c.guid) ?? new Set<ChatRecord>();
      same.add(c);
      this.#byGuid.set(c.guid, same);
    }
  }
}
