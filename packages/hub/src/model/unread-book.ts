import type { ChatRecord } from '@imsg-hub/store';

/**
 * Unread counts as each account's imsg reports them (`chats.list`'s `unread_count`: inbound rows
 * not read on that Mac), by the account's chat guid. Kept in memory as last reported: a count is a
 * snapshot of the Mac, which the hub cannot derive from stored rows (imsg never re-emits a row
 * when it is read).
 */
export class UnreadBook {
  readonly #byAccount = new Map<string, Map<string, number>>();

  /** An account's latest report: every chat it listed (the most recent ones) and its count. */
  report(account: string, chats: readonly { guid: string; unread: number }[]): void {
    this.#byAccount.set(account, new Map(chats.map((c) => [c.guid, c.unread])));
  }

  /**
   * The unread count of a conversation: the largest among its chats whose account reported one.
   * A shared group's messages are the same in every member account and reading a chat reads all of
   * it, so the account that read least says how many the conversation has unread (a sum would count
   * each message once per account). Undefined when no chat of it was reported.
   */
  of(chats: readonly ChatRecord[]): number | undefined {
    let count: number | undefined;
    for (const c of chats) {
      const n = this.#byAccount.get(c.account)?.get(c.guid);
      if (n !== undefined) count = Math.max(count ?? 0, n);
    }
    return count;
  }
}
