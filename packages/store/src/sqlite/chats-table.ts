import type Database from 'better-sqlite3';
import type { HubChat } from '@imsg-hub/hub-protocol';
import { formatChatRef } from '@imsg-hub/hub-protocol';
import type { ImsgMessage } from '@imsg-hub/imsg-protocol';
import type { ChatQuery } from '../store.js';

interface ChatRow {
  id: number;
  account: string;
  guid: string;
  native_id: number;
  identifier: string;
  name: string;
  service: string;
  is_group: number;
  participants: string;
  conversation_id: number;
  last_seq: number;
  last_message_at: string;
}

/** A chat as kept in memory; every chat is cached (there are few compared with messages). */
interface CachedChat {
  row: ChatRow;
  participants: string[];
}

const inScope = (account: string, scope: readonly string[] | undefined) => !scope || scope.includes(account);

/**
 * chats: one per (account, chat guid), with a hub id, and `conversation_id` linking the chats of
 * several accounts that are the same conversation (a group two of our accounts are in).
 */
export class ChatsTable {
  readonly #db: Database.Database;
  readonly #byKey = new Map<string, CachedChat>();
  readonly #byId = new Map<number, CachedChat>();
  /** conversation id → its chats: representative() runs for every delivered message. */
  readonly #conversations = new Map<number, Set<CachedChat>>();
  /** Group chat guid → its chats (one per account), for linking a new group copy. */
  readonly #byGuid = new Map<string, Set<CachedChat>>();
  readonly #insert: Database.Statement;
  readonly #update: Database.Statement;
  readonly #touch: Database.Statement;
  readonly #relink: Database.Statement;

  constructor(db: Database.Database) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO chats (account, guid, native_id, identifier, name, service, is_group, participants, conversation_id, last_seq, last_message_at)
       VALUES (@account, @guid, @native_id, @identifier, @name, @service, @is_group, @participants, 0, @last_seq, @last_message_at)`,
    );
    this.#update = db.prepare('UPDATE chats SET native_id = @native_id, identifier = @identifier, name = @name, participants = @participants WHERE id = @id');
    this.#touch = db.prepare('UPDATE chats SET last_seq = ?, last_message_at = ? WHERE id = ?');
    this.#relink = db.prepare('UPDATE chats SET conversation_id = ? WHERE conversation_id = ?');
    this.reload();
  }

  readonly #touched = new Set<ChatRow>();

  /** Writes last activity of chats touched in this transaction, once each. */
  flush(): void {
    for (const r of this.#touched) this.#touch.run(r.last_seq, r.last_message_at, r.id);
    this.#touched.clear();
  }

  reload(): void {
    this.#touched.clear();
    this.#byKey.clear();
    this.#byId.clear();
    this.#conversations.clear();
    this.#byGuid.clear();
    for (const row of this.#db.prepare('SELECT * FROM chats').all() as ChatRow[]) this.#cache(row);
  }

  /** Finds or creates the chat a message belongs to; 0 when the row is in no chat. */
  upsert(account: string, m: ImsgMessage, seq: number): number {
    if (m.chat_id === 0 && m.chat_guid === '' && m.chat_identifier === '') return 0;
    const guid = m.chat_guid !== '' ? m.chat_guid : `identifier:${m.chat_identifier}`;
    const found = this.#byKey.get(`${account}\u0000${guid}`);
    if (found) {
      const r = found.row;
      // Every row passes here: compare the parsed participant list, serialise only on a change.
      const sameParticipants = found.participants.length === m.participants.length && found.participants.every((p, i) => p === m.participants[i]);
      if (r.native_id !== m.chat_id || r.name !== m.chat_name || !sameParticipants || r.identifier !== m.chat_identifier) {
        Object.assign(r, { native_id: m.chat_id, name: m.chat_name, identifier: m.chat_identifier, participants: JSON.stringify(m.participants) });
        found.participants = m.participants;
        this.#update.run(r);
      }
      if (seq > r.last_seq) {
        r.last_seq = seq;
        if (m.created_at > r.last_message_at) r.last_message_at = m.created_at;
        this.#touched.add(r);
      }
      return r.id;
    }
    const participants = JSON.stringify(m.participants);
    const row: ChatRow = {
      id: 0,
      account,
      guid,
      native_id: m.chat_id,
      identifier: m.chat_identifier,
      name: m.chat_name,
      service: guid.split(';')[0] ?? '',
      is_group: m.is_group ? 1 : 0,
      participants,
      conversation_id: 0,
      last_seq: seq,
      last_message_at: m.created_at,
    };
    row.id = Number(this.#insert.run(row).lastInsertRowid);
    row.conversation_id = row.id;
    this.#db.prepare('UPDATE chats SET conversation_id = id WHERE id = ?').run(row.id);
    this.#cache(row);
    // A group with the same chat guid in another of our accounts is the same conversation.
    if (row.is_group) {
      for (const other of [...(this.#byGuid.get(guid) ?? [])]) {
        if (other.row.account !== account) this.link(row.id, other.row.id);
      }
    }
    return row.id;
  }

  /** Joins the conversations of two chats (they share a message guid, or a group guid). */
  link(a: number, b: number): void {
    const ca = this.#byId.get(a)?.row.conversation_id;
    const cb = this.#byId.get(b)?.row.conversation_id;
    if (!ca || !cb || ca === cb) return;
    const [keep, drop] = ca < cb ? [ca, cb] : [cb, ca];
    this.#relink.run(keep, drop);
    const kept = this.#conversations.get(keep)!;
    for (const c of this.#conversations.get(drop) ?? []) {
      c.row.conversation_id = keep;
      kept.add(c);
    }
    this.#conversations.delete(drop);
  }

  /** The chat id that stands for a conversation among the accounts in view (its lowest id). */
  representative(chatId: number, scope: readonly string[] | undefined): number {
    const conv = this.#byId.get(chatId)?.row.conversation_id;
    if (!conv) return chatId;
    let best = chatId;
    for (const c of this.#conversations.get(conv) ?? []) {
      if (c.row.id < best && inScope(c.row.account, scope)) best = c.row.id;
    }
    return best;
  }

  /** Ids of every chat in the same conversation (in view). */
  conversationMembers(chatId: number, scope: readonly string[] | undefined): number[] {
    const conv = this.#byId.get(chatId)?.row.conversation_id;
    if (!conv) return [chatId];
    return [...(this.#conversations.get(conv) ?? [])].filter((c) => inScope(c.row.account, scope)).map((c) => c.row.id);
  }

  get(id: number): HubChat | undefined {
    const c = this.#byId.get(id);
    return c && this.#toHub(c, [c.row.account]);
  }

  isGroup(id: number): boolean {
    return this.#byId.get(id)?.row.is_group === 1;
  }

  account(id: number): string | undefined {
    return this.#byId.get(id)?.row.account;
  }

  find(by: { account?: string; guid?: string; identifier?: string }): HubChat[] {
    const out: HubChat[] = [];
    for (const c of this.#byId.values()) {
      if (by.account && c.row.account !== by.account) continue;
      if (by.guid !== undefined && c.row.guid !== by.guid) continue;
      if (by.identifier !== undefined && c.row.identifier !== by.identifier) continue;
      out.push(this.#toHub(c, [c.row.account]));
    }
    return out.sort((x, y) => y.last_message_at.localeCompare(x.last_message_at));
  }

  list(q: ChatQuery): HubChat[] {
    const visible = [...this.#byId.values()].filter((c) => inScope(c.row.account, q.accounts) && (!q.account || c.row.account === q.account));
    let chats: HubChat[];
    if (!q.merged) {
      chats = visible.map((c) => this.#toHub(c, [c.row.account]));
    } else {
      const groups = new Map<number, CachedChat[]>();
      for (const c of visible) {
        const list = groups.get(c.row.conversation_id) ?? [];
        list.push(c);
        groups.set(c.row.conversation_id, list);
      }
      chats = [...groups.values()].map((members) => {
        members.sort((x, y) => x.row.id - y.row.id);
        const accounts = [...new Set(members.map((c) => c.row.account))].sort();
        const hub = this.#toHub(members[0]!, accounts);
        hub.last_message_at = members.reduce((max, c) => (c.row.last_message_at > max ? c.row.last_message_at : max), hub.last_message_at);
        return hub;
      });
    }
    chats.sort((x, y) => y.last_message_at.localeCompare(x.last_message_at) || y.id - x.id);
    return chats.slice(0, q.limit);
  }

  #cache(row: ChatRow): void {
    const cached = { row, participants: JSON.parse(row.participants) as string[] };
    this.#byKey.set(`${row.account}\u0000${row.guid}`, cached);
    this.#byId.set(row.id, cached);
    const conv = this.#conversations.get(row.conversation_id) ?? new Set<CachedChat>();
    conv.add(cached);
    this.#conversations.set(row.conversation_id, conv);
    if (row.is_group) {
      const same = this.#byGuid.get(row.guid) ?? new Set<CachedChat>();
      same.add(cached);
      this.#byGuid.set(row.guid, same);
    }
  }

  #toHub(c: CachedChat, accounts: string[]): HubChat {
    const r = c.row;
    return {
      id: r.id,
      identifier: r.identifier,
      guid: r.guid.startsWith('identifier:') ? '' : r.guid,
      name: r.name,
      service: r.service,
      last_message_at: r.last_message_at,
      participants: c.participants,
      is_group: r.is_group === 1,
      account: r.account,
      accounts,
      native_id: r.native_id,
      ref: formatChatRef(r.account, r.id),
    };
  }
}
