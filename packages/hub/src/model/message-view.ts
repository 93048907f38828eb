import { formatChatRef, type HubChat, type HubMessage } from '@imsg-hub/hub-protocol';
import type { ChatRecord, MessageRecord } from '@imsg-hub/store';
import type { ChatIndex } from './chat-index.js';
import { clientSendKey } from './idempotency-key.js';
import type { OwnHandles } from './own-handles.js';
import type { UnreadBook } from './unread-book.js';

/** How a reader sees messages: merged (one conversation across accounts) or per copy, within a scope. */
export interface ViewOptions {
  merged: boolean;
  /** Accounts in view; undefined = all. */
  scope: readonly string[] | undefined;
}

/**
 * Presents stored records as the wire's HubMessage/HubChat: hub ids, the accounts that hold a
 * message, and the merged "from me" rule. Pure over the indexes it is given.
 */
export class MessageView {
  readonly #chats: ChatIndex;
  readonly #handles: OwnHandles;
  readonly #unread: UnreadBook;

  constructor(chats: ChatIndex, handles: OwnHandles, unread: UnreadBook) {
    this.#chats = chats;
    this.#handles = handles;
    this.#unread = unread;
  }

  /**
   * One message. `copies`: every account known to hold its guid (from the store), or undefined
   * when only this copy is known (a row just committed that is no one's duplicate).
   */
  message(r: MessageRecord, copies: readonly string[] | undefined, v: ViewOptions): HubMessage {
    const m = r.body;
    let accounts = [r.account];
    if (copies && r.guid && (r.dupOf !== undefined || v.merged)) {
      accounts = [...new Set(copies.filter((a) => !v.scope || v.scope.includes(a)))];
      if (!accounts.includes(r.account)) accounts.unshift(r.account);
    }
    let view = m;
    let account = r.account;
    if (v.merged && !m.is_from_me && m.sender) {
      // Sent by another of our own accounts: in the merged view it is ours, "from me", and that
      // account's, whichever account's copy arrived first (else a client would answer its own
      // household, or show bob's message in the family group as alice's).
      const owner = this.#handles.owner(m.sender);
      if (owner && owner !== r.account && (!v.scope || v.scope.includes(owner))) {
        view = { ...m, is_from_me: true, destination_caller_id: m.sender };
        account = owner;
        accounts = [owner, ...accounts.filter((a) => a !== owner)];
      }
    }
    if (m.is_group) {
      // Our other accounts in this group see the message too, whether or not their copy is here yet.
      const members = this.#handles.owners(m.participants, r.account).filter((a) => !v.scope || v.scope.includes(a));
      for (const a of members) if (!accounts.includes(a)) accounts = [...accounts, a];
    }
    return {
      ...view,
      id: r.seq,
      chat_id: v.merged && r.chatId ? this.#chats.representative(r.chatId, v.scope) : r.chatId,
      account,
      accounts,
      native_id: r.nativeId,
      native_chat_id: m.chat_id,
      replay: r.replay,
      ...(r.sendKey ? { send_key: clientSendKey(r.sendKey) } : {}),
    };
  }

  /** One chat, listing the accounts whose chats are merged into it. */
  chat(c: ChatRecord, accounts: string[] = [c.account]): HubChat {
    return {
      id: c.id,
      identifier: c.identifier,
      guid: c.guid.startsWith('identifier:') ? '' : c.guid,
      name: c.name,
      service: c.service,
      last_message_at: c.lastMessageAt,
      participants: c.participants,
      is_group: c.isGroup,
      account: c.account,
      accounts,
      native_id: c.nativeId,
      ref: formatChatRef(c.account, c.id),
    };
  }

  /** The chats in view: one per conversation when merged, else one per account's chat; newest first. */
  chats(q: { scope: readonly string[] | undefined; account: string | undefined; merged: boolean; limit: number }): HubChat[] {
    const groups = this.#chats.conversations(q.scope, q.account);
    let chats: HubChat[];
    const unread = (members: readonly ChatRecord[]) => {
      const n = this.#unread.of(members);
      return n === undefined ? {} : { unread_count: n };
    };
    if (!q.merged) {
      chats = groups.flat().map((c) => ({ ...this.chat(c), ...unread([c]) }));
    } else {
      chats = groups.map((members) => {
        const accounts = [...new Set(members.map((c) => c.account))].sort();
        const hub = { ...this.chat(members[0]!, accounts), ...unread(members) };
        hub.last_message_at = members.reduce((max, c) => (c.lastMessageAt > max ? c.lastMessageAt : max), hub.last_message_at);
        return hub;
      });
    }
    chats.sort((x, y) => y.last_message_at.localeCompare(x.last_message_at) || y.id - x.id);
    return chats.slice(0, q.limit);
  }
}
