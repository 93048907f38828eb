import type { HubChat, HubMessage } from '@imsg-hub/hub-protocol';
import { type ChatRecord, type MessageRecord, type Store, StoreConflictError } from '@imsg-hub/store';
import { AccountBook } from './account-book.js';
import { AffinityIndex } from './affinity-index.js';
import { ChatIndex } from './chat-index.js';
import { batchGuids, type IngestBatch, type IngestOutcome, planIngest } from './ingest-plan.js';
import { MessageView, type ViewOptions } from './message-view.js';
import { OwnHandles } from './own-handles.js';
import { UnreadBook } from './unread-book.js';

/** Which messages a read or a watch sees. */
export interface MessageFilter {
  /** Accounts in view; undefined = all. */
  accounts?: readonly string[] | undefined;
  chatId?: number | undefined;
  /** One copy per message guid among the accounts in view. */
  merged: boolean;
  /**
   * For a merged watch of one chat: return every copy and let the watcher drop guids it already
   * delivered. (A copy that links two accounts' chats arrives after the watch passed the first copy
   * as "another chat"; hiding it as a duplicate would lose the message.)
   */
  watcherDedupes?: boolean;
  includeReactions?: boolean;
}

/**
 * The hub's message model: in-memory indexes (accounts, chats and conversations, own handles,
 * affinity) over the store, the ingest rules that keep them, and the views clients read. The only
 * writer of messages; the store only persists and queries records.
 */
export class MessageModel {
  readonly #store: Store;
  #accounts!: AccountBook;
  #chats!: ChatIndex;
  #handles!: OwnHandles;
  #affinity!: AffinityIndex;
  #view!: MessageView;
  /** Unread counts per chat as each account's imsg last reported them. */
  readonly unread = new UnreadBook();
  #maxSeq = 0;

  private constructor(store: Store) {
    this.#store = store;
  }

  static async load(store: Store): Promise<MessageModel> {
    const model = new MessageModel(store);
    await model.#reload();
    return model;
  }

  async #reload(): Promise<void> {
    const [ids, accounts, chats, handles, affinity] = await Promise.all([
      this.#store.maxIds(),
      this.#store.accounts(),
      this.#store.chats(),
      this.#store.ownHandles(),
      this.#store.affinity(),
    ]);
    this.#maxSeq = ids.seq;
    this.#accounts = new AccountBook(accounts);
    this.#chats = new ChatIndex(chats, ids.chatId);
    this.#handles = new OwnHandles(handles);
    this.#affinity = new AffinityIndex(affinity);
    this.#view = new MessageView(this.#chats, this.#handles, this.unread);
  }

  /** Highest hub sequence committed. */
  get maxSeq(): number {
    return this.#maxSeq;
  }

  get accounts(): AccountBook {
    return this.#accounts;
  }

  async ensureAccount(name: string) {
    return this.#accounts.get(name) ?? this.#accounts.put(await this.#store.ensureAccount(name));
  }

  async newEpoch(name: string) {
    return this.#accounts.put(await this.#store.newEpoch(name));
  }

  async configureHandles(account: string, handles: readonly string[]): Promise<void> {
    await this.#store.putOwnHandles(this.#handles.configure(account, handles));
  }

  /**
   * Commits a group of batches in one transaction (group commit). If that fails, each batch is
   * committed alone, so one sender's bad batch fails only that sender.
   */
  async commit(batches: readonly IngestBatch[]): Promise<(IngestOutcome | Error)[]> {
    // Several hubs on one store take turns, and each first takes in what the others committed.
    const endTurn = await this.#store.commitTurn?.();
    try {
      if (endTurn && (await this.#store.maxIds()).seq > this.#maxSeq) await this.#reload();
      return await this.#commitBatches(batches);
    } finally {
      endTurn?.();
    }
  }

  async #commitBatches(batches: readonly IngestBatch[]): Promise<(IngestOutcome | Error)[]> {
    try {
      return await this.#commitFresh(batches);
    } catch (err) {
      await this.#reload();
      if (batches.length === 1) return [err as Error];
    }
    const out: (IngestOutcome | Error)[] = [];
    for (const b of batches) {
      try {
        out.push(...(await this.#commitFresh([b])));
      } catch (err) {
        await this.#reload();
        out.push(err as Error);
      }
    }
    return out;
  }

  /**
   * Another hub on a shared store committed first (StoreConflictError: our ids or indexes are stale):
   * not the batches' fault, so reload and plan them again.
   */
  async #commitFresh(batches: readonly IngestBatch[]): Promise<IngestOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#commitGroup(batches);
      } catch (err) {
        if (!(err instanceof StoreConflictError) || attempt >= 8) throw err;
        await this.#reload();
      }
    }
  }

  async #commitGroup(batches: readonly IngestBatch[]): Promise<IngestOutcome[]> {
    const guids = batchGuids(batches);
    const [copies, unlinkedSends] = await Promise.all([
      guids.all.length ? this.#store.copies(guids.all) : [],
      guids.fromMe.length ? this.#store.outbox({ unlinkedResultGuids: guids.fromMe }) : [],
    ]);
    const indexes = { accounts: this.#accounts, chats: this.#chats, handles: this.#handles, affinity: this.#affinity };
    const plan = planIngest(batches, { copies, unlinkedSends }, indexes, this.#maxSeq + 1, new Date().toISOString());
    await this.#store.commit(plan.records);
    this.#maxSeq = plan.nextSeq - 1;
    return plan.outcomes;
  }

  /**
   * Takes in what other hubs committed to a shared store (announced by `Store.onCommit`): reloads the
   * indexes and returns the new rows, or undefined when there are none. `records` is empty (and
   * `previousMax` -1, so watches read the store) when there are more than `limit`.
   */
  async absorb(limit = 5000): Promise<{ previousMax: number; max: number; records: MessageRecord[] } | undefined> {
    const previousMax = this.#maxSeq;
    await this.#reload();
    if (this.#maxSeq <= previousMax) return undefined;
    const records = await this.#store.messages({ afterSeq: previousMax, beforeSeq: this.#maxSeq + 1, order: 'asc', limit: limit + 1 });
    if (records.length > limit) return { previousMax: -1, max: this.#maxSeq, records: [] };
    return { previousMax, max: this.#maxSeq, records };
  }

  // Reads ---------------------------------------------------------------------------------------

  chat(id: number): HubChat | undefined {
    const c = this.#chats.get(id);
    return c && this.#view.chat(c);
  }

  chatRecord(id: number): ChatRecord | undefined {
    return this.#chats.get(id);
  }

  chats(q: { scope: readonly string[] | undefined; account: string | undefined; merged: boolean; limit: number }): HubChat[] {
    return this.#view.chats(q);
  }

  /** Every chat linked into the same conversation as `chatId` (itself first). */
  conversation(chatId: number): HubChat[] {
    const ids = this.#chats.conversationMembers(chatId, undefined).filter((id) => id !== chatId);
    return [chatId, ...ids].map((id) => this.chat(id)).filter((c): c is HubChat => c !== undefined);
  }

  /**
   * The id a chat goes by in a view (its conversation's lowest chat in view when merged), or
   * undefined when the view is of one chat and this chat is not in it.
   */
  chatIdInView(chatId: number, f: MessageFilter): number | undefined {
    if (f.chatId !== undefined && !(f.merged ? this.#chats.conversationMembers(f.chatId, f.accounts) : [f.chatId]).includes(chatId)) return undefined;
    return f.merged ? this.#chats.representative(chatId, f.accounts) : chatId;
  }

  findChat(by: { account?: string; guid?: string; identifier?: string }): HubChat[] {
    return this.#chats.find(by).map((c) => this.#view.chat(c));
  }

  affinity(handle: string): string | undefined {
    return this.#affinity.account(handle);
  }

  /** Which of our accounts a handle belongs to (configured, or learned from its rows). */
  handleOwner(handle: string): string | undefined {
    return this.#handles.owner(handle);
  }

  ownHandles() {
    return this.#handles.all();
  }

  /** Messages with seq in (after, upTo], ascending, as a watch delivers them. */
  async after(after: number, f: MessageFilter, limit: number, upTo = this.#maxSeq): Promise<HubMessage[]> {
    const records = await this.#store.messages({
      afterSeq: after,
      beforeSeq: upTo + 1,
      ...this.#narrow(f),
      order: 'asc',
      limit,
    });
    return this.#present(records, { merged: f.merged, scope: f.accounts });
  }

  /** A chat's messages (its whole conversation when linked), newest first, reactions excluded. */
  async history(chatId: number, o: { limit: number; before?: number; after?: number; accounts?: readonly string[] | undefined }): Promise<HubMessage[]> {
    const records = await this.#store.messages({
      ...this.#narrow({ chatId, merged: true, includeReactions: false, accounts: o.accounts }),
      ...(o.before !== undefined ? { beforeSeq: o.before } : {}),
      afterSeq: o.after ?? 0,
      order: 'desc',
      limit: o.limit,
    });
    return this.#present(records, { merged: true, scope: o.accounts });
  }

  /**
   * Full-text search, newest first, merged among the accounts in view. Words are split on
   * whitespace; `before` pages. Returns the page and the `before` of the next one.
   */
  async search(q: {
    query: string;
    accounts: readonly string[] | undefined;
    chatId?: number | undefined;
    sender?: string | undefined;
    fromMe?: boolean | undefined;
    since?: string | undefined;
    until?: string | undefined;
    before?: number | undefined;
    limit: number;
  }): Promise<{ messages: HubMessage[]; nextBefore: number | undefined }> {
    const words = q.query.split(/\s+/).filter(Boolean);
    if (words.length === 0) return { messages: [], nextBefore: undefined };
    const records = await this.#store.searchMessages({
      words,
      ...(q.accounts ? { accounts: q.accounts } : {}),
      ...(q.chatId !== undefined ? { chatIds: this.#chats.conversationMembers(q.chatId, q.accounts) } : {}),
      ...(q.sender !== undefined ? { sender: q.sender } : {}),
      ...(q.fromMe !== undefined ? { fromMe: q.fromMe } : {}),
      ...(q.since !== undefined ? { since: new Date(q.since).toISOString() } : {}),
      ...(q.until !== undefined ? { until: new Date(q.until).toISOString() } : {}),
      ...(q.before !== undefined ? { beforeSeq: q.before } : {}),
      firstCopyAmong: q.accounts ?? 'all',
      limit: q.limit,
    });
    const messages = await this.#present(records, { merged: true, scope: q.accounts });
    return { messages, nextBefore: records.length === q.limit ? records.at(-1)!.seq : undefined };
  }

  /** Tapback rows pointing at these message guids, ascending; `accounts` undefined = all. */
  async reactionsTo(guids: readonly string[], accounts: readonly string[] | undefined): Promise<HubMessage[]> {
    if (guids.length === 0) return [];
    const records = await this.#store.messages({ reactedTo: guids, ...(accounts ? { accounts } : {}), order: 'asc', limit: 10_000 });
    return this.#present(records, { merged: false, scope: accounts });
  }

  /** What a watch with `f` sees of records just committed, from memory; undefined when the store must decide. */
  deliverable(records: readonly MessageRecord[], f: MessageFilter): HubMessage[] | undefined {
    const members = f.chatId !== undefined ? new Set(f.merged ? this.#chats.conversationMembers(f.chatId, f.accounts) : [f.chatId]) : undefined;
    const out: HubMessage[] = [];
    for (const r of records) {
      if (f.accounts && !f.accounts.includes(r.account)) continue;
      if (members && !members.has(r.chatId)) continue;
      if (!f.includeReactions && r.isReaction) continue;
      if (r.dupOf !== undefined) {
        if (f.merged && !f.accounts && !f.watcherDedupes) continue; // an earlier copy was already delivered
        return undefined; // which copies are in view, and their accounts: ask the store
      }
      out.push(this.#view.message(r, undefined, { merged: f.merged, scope: f.accounts }));
    }
    return out;
  }

  #narrow(f: MessageFilter) {
    return {
      ...(f.accounts ? { accounts: f.accounts } : {}),
      ...(f.chatId !== undefined ? { chatIds: f.merged ? this.#chats.conversationMembers(f.chatId, f.accounts) : [f.chatId] } : {}),
      ...(f.includeReactions ? {} : { includeReactions: false }),
      ...(f.merged && !f.watcherDedupes ? { firstCopyAmong: f.accounts ?? ('all' as const) } : {}),
    };
  }

  async #present(records: readonly MessageRecord[], v: ViewOptions): Promise<HubMessage[]> {
    const guids = records.filter((r) => r.guid && (r.dupOf !== undefined || v.merged)).map((r) => r.guid);
    const copies = new Map<string, string[]>();
    if (guids.length) {
      for (const c of await this.#store.copies([...new Set(guids)])) {
        const list = copies.get(c.guid) ?? [];
        list.push(c.account);
        copies.set(c.guid, list);
      }
    }
    return records.map((r) => this.#view.message(r, copies.get(r.guid), v));
  }
}
