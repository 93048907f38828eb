import type { Row } from '@imsg-hub/hub-protocol';
import type { CommitRecords, CopyRecord, MessageRecord, OutboxRecord, StoredBody } from '@imsg-hub/store';
import type { AccountBook } from './account-book.js';
import { type AffinityIndex, affinityHandle } from './affinity-index.js';
import type { ChatIndex } from './chat-index.js';
import type { OwnHandles } from './own-handles.js';

/** Rows from one agent for one account, as received. */
export interface IngestBatch {
  account: string;
  epoch: number;
  rows: Row[];
  /** The rowid the agent forwarded just before this batch, when it says (gap check). */
  after?: number | undefined;
}

export type IngestOutcome =
  | { ok: true; account: string; epoch: number; acked: number; stored: MessageRecord[] }
  | { ok: false; account: string; epoch: number; reason: 'STALE_EPOCH' | 'UNKNOWN_ACCOUNT' | 'ROWS_GAP'; current: number };

/** What planning needs from the store, read before it starts. */
export interface IngestLookups {
  /** Stored copies of the batches' guids, ascending seq. */
  copies: readonly CopyRecord[];
  /** Sends not yet linked to a message whose imsg result carried one of the batches' guids. */
  unlinkedSends: readonly OutboxRecord[];
}

export interface IngestPlan {
  outcomes: IngestOutcome[];
  records: CommitRecords;
  /** The seq after the last one this plan allocated. */
  nextSeq: number;
}

/** The imsg message with each attachment annotated with where its bytes are (the hub alone sets these). */
export function storedBody(row: Row): StoredBody {
  // An agent's own `blob`/`blob_state` on an attachment are dropped: they say what the hub stores.
  const attachments = row.message.attachments.map(
    ({ blob: _b, blob_state: _s, ...a }: Record<string, unknown>) => ({ ...a }) as (typeof row.message.attachments)[number],
  );
  for (const b of row.blobs ?? []) {
    const target = attachments[b.index] as (typeof attachments)[number] & { blob?: string; blob_state?: string };
    if (!target) continue;
    target.blob_state = b.state;
    if (b.sha256) target.blob = b.sha256;
  }
  return { ...row.message, attachments };
}

/** The guids a group of batches carries (for the lookups). */
export function batchGuids(batches: readonly IngestBatch[]): { all: string[]; fromMe: string[] } {
  const all = new Set<string>();
  const fromMe = new Set<string>();
  for (const b of batches) {
    for (const r of b.rows) {
      if (!r.message.guid) continue;
      all.add(r.message.guid);
      if (r.message.is_from_me) fromMe.add(r.message.guid);
    }
  }
  return { all: [...all], fromMe: [...fromMe] };
}

export interface IngestIndexes {
  accounts: AccountBook;
  chats: ChatIndex;
  handles: OwnHandles;
  affinity: AffinityIndex;
}

/**
 * The ingest rules (design.md "Inbound contract", "Shared group chats"), as a plan over the hub's
 * in-memory indexes: skip rows at or below the high-water mark, one copy per (guid, account), note
 * an earlier copy in another account, link a group's chats by the message guids they share, link
 * echoes to their sends, learn own handles and affinity. Indexes are updated as it goes; the caller
 * commits the records and reloads the indexes if that fails.
 */
export function planIngest(batches: readonly IngestBatch[], lookups: IngestLookups, ix: IngestIndexes, firstSeq: number, now: string): IngestPlan {
  const copies = new Map<string, CopyRecord[]>();
  for (const c of lookups.copies) {
    const list = copies.get(c.guid) ?? [];
    list.push(c);
    copies.set(c.guid, list);
  }
  const sends = new Map<string, OutboxRecord>();
  for (const s of lookups.unlinkedSends) {
    const guid = s.result?.['guid'];
    if (typeof guid === 'string') sends.set(`${s.account}\u0000${guid}`, s);
  }
  const records: CommitRecords = { messages: [], chats: [], handles: [], affinity: [], accounts: [], blobRefs: [], outboxLinks: [] };
  let seq = firstSeq;
  const outcomes = batches.map((b): IngestOutcome => {
    const account = ix.accounts.get(b.account);
    if (!account) return { ok: false, account: b.account, epoch: b.epoch, reason: 'UNKNOWN_ACCOUNT', current: 0 };
    if (account.epoch !== b.epoch) return { ok: false, account: b.account, epoch: b.epoch, reason: 'STALE_EPOCH', current: account.epoch };
    // Rows between the high-water mark and `after` were sent but never stored (their batch failed):
    // storing this batch would move the mark past them, and they would be lost.
    if (b.after !== undefined && b.after > account.hwm) return { ok: false, account: b.account, epoch: b.epoch, reason: 'ROWS_GAP', current: account.hwm };
    let hwm = account.hwm;
    let lastRowAt: string | undefined;
    const stored: MessageRecord[] = [];
    for (const row of b.rows) {
      if (row.rowid <= hwm) continue; // already stored: never doubled
      hwm = row.rowid;
      const m = row.message;
      const known = m.guid ? (copies.get(m.guid) ?? []) : [];
      if (known.some((c) => c.account === b.account)) continue; // this account already has this message (a rewind)
      const body = storedBody(row);
      const chatId = ix.chats.upsert(b.account, m, seq);
      const first = known.find((c) => c.account !== b.account);
      const echo = m.is_from_me && m.guid ? sends.get(`${b.account}\u0000${m.guid}`) : undefined;
      const record: MessageRecord = {
        seq,
        account: b.account,
        epoch: b.epoch,
        nativeId: row.rowid,
        chatId,
        guid: m.guid,
        dupOf: first?.seq,
        isFromMe: m.is_from_me,
        isReaction: m.is_reaction === true,
        replay: row.replay === true,
        sendKey: echo?.key,
        body,
        receivedAt: now,
      };
      seq += 1;
      records.messages.push(record);
      stored.push(record);
      if (m.guid) copies.set(m.guid, [...known, { guid: m.guid, account: b.account, seq: record.seq, chatId, isFromMe: m.is_from_me }]);
      // Only groups become one conversation: a DM between two of our own accounts stays two chats (each
      // account's chat names the other), so a reply by chat id leaves from the right identity.
      if (first && chatId && first.chatId && m.is_group && ix.chats.isGroup(first.chatId)) ix.chats.link(chatId, first.chatId);
      const handle = affinityHandle(m);
      if (handle) ix.affinity.note(handle, b.account, record.seq);
      if (m.destination_caller_id) ix.handles.learn(m.destination_caller_id, b.account);
      for (const blob of row.blobs ?? []) if (blob.sha256) records.blobRefs.push({ sha256: blob.sha256, owner: b.account });
      if (echo) {
        records.outboxLinks.push({ key: echo.key, messageSeq: record.seq });
        sends.delete(`${b.account}\u0000${m.guid}`);
      }
      lastRowAt = m.created_at;
    }
    const progress = { name: b.account, hwm, lastRowAt: lastRowAt ?? account.lastRowAt, messageCount: account.messageCount + stored.length };
    ix.accounts.put({ ...account, ...progress });
    records.accounts.push(progress);
    return { ok: true, account: b.account, epoch: b.epoch, acked: hwm, stored };
  });
  records.chats = ix.chats.takeDirty();
  records.handles = ix.handles.takeDirty();
  records.affinity = ix.affinity.takeDirty();
  return { outcomes, records, nextSeq: seq };
}
