import { appleNanosFromMs } from './apple-date.js';
import { encodeAttributedBody } from './attributed-body.js';
import { encodeBinaryPlist } from './binary-plist.js';
import { appendBridgeEvent } from './bridge-event-log.js';
import type { ServiceName } from './chat-db-writer.js';
import type { RowValue } from './row-inserter.js';
import { newMessageGuid } from './delivery.js';
import { SimError } from './errors.js';
import { handleKey } from './handle.js';
import type { SendOutcome, SimWorld } from './world.js';

/** A message an action names: the acting account, its chat, and the target guid (and part). */
export interface MessageRef {
  account: string;
  chatGuid: string;
  target: string;
  part?: number | undefined;
}

/** Group changes Messages records as rows: item_type and group_action_type (platform behaviour). */
const GROUP_EVENT = {
  added: { itemType: 1, groupActionType: 0 },
  removed: { itemType: 1, groupActionType: 1 },
  renamed: { itemType: 2, groupActionType: 0 },
  left: { itemType: 3, groupActionType: 0 },
  photoChanged: { itemType: 3, groupActionType: 1 },
  photoRemoved: { itemType: 3, groupActionType: 2 },
} as const;

const nowNanos = () => appleNanosFromMs(Date.now());

/**
 * What the IMCore bridge does, played on a world: each action writes the rows and columns Messages
 * writes (reference/imsg-protocol-v1.md §5) in the acting account's chat.db, and reaches every
 * other account that holds the conversation as it would reach a real recipient.
 */
export class WorldActions {
  readonly world: SimWorld;

  constructor(world: SimWorld) {
    this.world = world;
  }

  /** §5.2–5.3: a new tapback row (2000–2006 add, 3000–3006 remove) at the sender and recipients. */
  tapback(ref: MessageRef, code: number, emoji?: string): SendOutcome {
    this.#requireMessage(ref.account, ref.target);
    return this.world.send({
      account: ref.account,
      chatGuid: ref.chatGuid,
      service: this.#service(ref.account, ref.chatGuid),
      guid: newMessageGuid(),
      reaction: { target: ref.target, code, emoji, part: ref.part ?? 0 },
    });
  }

  /** §5.5: the same ROWID in every copy gets the new text (in attributedBody), `date_edited` and `ec`. */
  edit(ref: MessageRef, text: string): void {
    const mine = this.#requireMessage(ref.account, ref.target);
    if (!mine.isFromMe) throw new SimError('BAD_INJECT', `message ${ref.target} was not sent by ${ref.account}; only its sender can edit it`);
    this.#everyCopy(ref.target, (account) => this.editCopy(account, ref.target, text, ref.part ?? 0));
  }

  /** §5.6: `date_retracted` set, text and body cleared, the retracted part listed, in every copy. */
  unsend(ref: MessageRef): void {
    const mine = this.#requireMessage(ref.account, ref.target);
    if (!mine.isFromMe) throw new SimError('BAD_INJECT', `message ${ref.target} was not sent by ${ref.account}; only its sender can unsend it`);
    this.#everyCopy(ref.target, (account) => this.unsendCopy(account, ref.target, ref.part ?? 0));
  }

  /** One account's copy of an edited message (also what arrives when someone outside the world edits). */
  editCopy(account: string, guid: string, text: string, part = 0): void {
    const w = this.world.writer(account);
    const { dateSec } = this.#requireMessage(account, guid);
    const old = w.messageText(guid) ?? '';
    const history = {
      [String(part)]: [
        { d: dateSec, t: encodeAttributedBody(old) },
        { d: Date.now() / 1000 - 978_307_200, t: encodeAttributedBody(text) },
      ],
    };
    w.updateMessage(guid, {
      text: null,
      attributedBody: encodeAttributedBody(text),
      date_edited: nowNanos(),
      message_summary_info: encodeBinaryPlist({ ec: history }),
    });
  }

  /** One account's copy of an unsent message. */
  unsendCopy(account: string, guid: string, part = 0): void {
    this.#requireMessage(account, guid);
    this.world
      .writer(account)
      .updateMessage(guid, { text: null, attributedBody: null, date_retracted: nowNanos(), message_summary_info: encodeBinaryPlist({ rp: [part] }) });
  }

  /** Someone outside the world types in a chat of `account` (a DM with `from`, or a group). */
  theirTyping(account: string, from: string, on: boolean, groupGuid?: string): void {
    const service = 'iMessage';
    appendBridgeEvent(this.world.info(account).dbPath, {
      event: on ? 'started-typing' : 'stopped-typing',
      ts: new Date().toISOString(),
      data: { chatGuid: groupGuid ?? `${service};-;${from}` },
    });
  }

  /** Deletes a message from this account's chat.db only (Messages' local delete). */
  deleteLocal(account: string, guid: string): void {
    const w = this.world.writer(account);
    this.#requireMessage(account, guid);
    w.transaction(() => {
      w.db.prepare('DELETE FROM chat_message_join WHERE message_id IN (SELECT ROWID FROM message WHERE guid = ?)').run(guid);
      w.db.prepare('DELETE FROM message WHERE guid = ?').run(guid);
    });
  }

  /**
   * §5.7: the account reads a chat: its unread inbound rows get is_read/date_read, and each sender
   * in the world sees date_read on its own copy (the read receipt). Returns the rows marked.
   */
  markRead(account: string, chatGuid: string): number {
    const w = this.world.writer(account);
    const rows = w.db
      .prepare(
        `SELECT m.guid AS guid, IFNULL(h.id, '') AS sender FROM message m JOIN chat_message_join cmj ON cmj.message_id = m.ROWID
         JOIN chat c ON c.ROWID = cmj.chat_id LEFT JOIN handle h ON h.ROWID = m.handle_id
         WHERE c.guid = ? AND m.is_from_me = 0 AND IFNULL(m.is_read, 0) = 0`,
      )
      .all(chatGuid) as { guid: string; sender: string }[];
    const at = nowNanos();
    for (const row of rows) {
      w.updateMessage(row.guid, { is_read: 1, date_read: at }, ' AND is_from_me = 0');
      const owner = this.world.ownerOf(row.sender);
      if (owner && owner.name !== account) this.receipt(owner.name, row.guid, 'read', at);
    }
    return rows.length;
  }

  /** Marks the chat's newest inbound message unread again (local only; no receipt). */
  markUnread(account: string, chatGuid: string): void {
    const w = this.world.writer(account);
    const row = w.db
      .prepare(
        `SELECT m.guid AS guid FROM message m JOIN chat_message_join cmj ON cmj.message_id = m.ROWID JOIN chat c ON c.ROWID = cmj.chat_id
         WHERE c.guid = ? AND m.is_from_me = 0 ORDER BY m.ROWID DESC LIMIT 1`,
      )
      .get(chatGuid) as { guid: string } | undefined;
    if (row) w.updateMessage(row.guid, { is_read: 0, date_read: 0 }, ' AND is_from_me = 0');
  }

  /** §5.8: a receipt on the account's own outgoing copy: sent, delivered, or read by the recipient. */
  receipt(account: string, guid: string, kind: 'sent' | 'delivered' | 'read', at = nowNanos()): number {
    const w = this.world.writer(account);
    const fields: Record<string, RowValue> =
      kind === 'sent'
        ? { is_sent: 1, is_finished: 1 }
        : kind === 'delivered'
          ? { is_sent: 1, is_finished: 1, is_delivered: 1, date_delivered: at }
          : { is_sent: 1, is_finished: 1, is_delivered: 1, is_read: 1, date_read: at };
    return w.updateMessage(guid, fields, ' AND is_from_me = 1');
  }

  /**
   * Typing in a chat reaches the other accounts in it as bridge events (started-/stopped-typing).
   * A one-to-one guid with no chat yet (`iMessage;-;<handle>`) still reaches that handle's owner.
   */
  typing(account: string, chatGuid: string, on: boolean): string[] {
    const chat = this.world.writer(account).chatRecord({ guid: chatGuid });
    const direct = /^(iMessage|SMS|any);-;(.+)$/.exec(chatGuid);
    const participants = chat?.participants ?? (direct ? [direct[2]!] : []);
    const me = chat?.lastAddressedHandle || (this.world.info(account).handles[0] ?? '');
    const service = chat?.service || (direct?.[1] === 'SMS' ? 'SMS' : 'iMessage');
    const reached: string[] = [];
    for (const handle of participants) {
      const owner = this.world.ownerOf(handle);
      if (!owner || owner.name === account || reached.includes(owner.name)) continue;
      reached.push(owner.name);
      const theirGuid = chatGuid.includes(';+;') ? chatGuid : `${service};-;${me}`;
      appendBridgeEvent(owner.dbPath, { event: on ? 'started-typing' : 'stopped-typing', ts: new Date().toISOString(), data: { chatGuid: theirGuid } });
    }
    return reached;
  }

  /** A group rename: chat.display_name and an item_type 2 row, in every member account. */
  rename(account: string, chatGuid: string, name: string): SendOutcome {
    const outcome = this.#groupEvent(account, chatGuid, { ...GROUP_EVENT.renamed, groupTitle: name });
    this.#everyChatCopy(chatGuid, (acct, chatRowId) => this.world.writer(acct).updateChat(chatRowId, { display_name: name }));
    return outcome;
  }

  /** A member added or removed: chat_handle_join changed and an item_type 1 row, everywhere. */
  member(account: string, chatGuid: string, handle: string, add: boolean): SendOutcome {
    const service = this.#service(account, chatGuid);
    if (add) this.world.writer(account).setParticipant(this.#chat(account, chatGuid).rowid, handle, service, true);
    const outcome = this.#groupEvent(account, chatGuid, add ? GROUP_EVENT.added : GROUP_EVENT.removed, handle);
    this.#everyChatCopy(chatGuid, (acct, chatRowId) => {
      const own = this.world.info(acct).handles.some((h) => handleKey(h) === handleKey(handle));
      if (!own) this.world.writer(acct).setParticipant(chatRowId, handle, service, add);
    });
    return outcome;
  }

  /** The account leaves: an item_type 3 row; the others drop it from their member lists. */
  leave(account: string, chatGuid: string): SendOutcome {
    const chat = this.#chat(account, chatGuid);
    const me = chat.lastAddressedHandle || (this.world.info(account).handles[0] ?? '');
    const outcome = this.#groupEvent(account, chatGuid, GROUP_EVENT.left);
    const service = this.#service(account, chatGuid);
    this.#everyChatCopy(chatGuid, (acct, chatRowId) => {
      if (acct !== account) this.world.writer(acct).setParticipant(chatRowId, me, service, false);
    });
    return outcome;
  }

  /** The group photo changed (or was removed): an item_type 3 row everywhere. */
  groupPhoto(account: string, chatGuid: string, removed: boolean): SendOutcome {
    return this.#groupEvent(account, chatGuid, removed ? GROUP_EVENT.photoRemoved : GROUP_EVENT.photoChanged);
  }

  #groupEvent(
    account: string,
    chatGuid: string,
    columns: { itemType: number; groupActionType: number; groupTitle?: string },
    otherHandle?: string,
  ): SendOutcome {
    const chat = this.#chat(account, chatGuid);
    if (!chat.guid.includes(';+;')) throw new SimError('UNKNOWN_CHAT', `${chatGuid} is not a group chat`);
    return this.world.send({ account, chatGuid, service: this.#service(account, chatGuid), guid: newMessageGuid(), columns, otherHandle });
  }

  #chat(account: string, chatGuid: string) {
    const chat = this.world.writer(account).chatRecord({ guid: chatGuid });
    if (!chat) throw new SimError('UNKNOWN_CHAT', `Chat not found: ${chatGuid}`);
    return chat;
  }

  #service(account: string, chatGuid: string): ServiceName {
    return this.#chat(account, chatGuid).service === 'SMS' ? 'SMS' : 'iMessage';
  }

  #requireMessage(account: string, guid: string): { isFromMe: boolean; dateSec: number } {
    const row = this.world.writer(account).db.prepare('SELECT is_from_me AS f, date AS d FROM message WHERE guid = ? ORDER BY ROWID DESC LIMIT 1').get(guid) as
      | { f: number; d: number | null }
      | undefined;
    if (!row) throw new SimError('UNKNOWN_CHAT', `Message not found: ${guid}`);
    return { isFromMe: row.f !== 0, dateSec: Number(row.d ?? 0) / 1e9 };
  }

  /** Runs `fn` for every account whose chat.db holds a row with this guid. */
  #everyCopy(guid: string, fn: (account: string) => void): void {
    for (const a of this.world.accounts) {
      const w = this.world.writer(a.name);
      if (w.db.prepare('SELECT 1 AS x FROM message WHERE guid = ? LIMIT 1').get(guid)) w.transaction(() => fn(a.name));
    }
  }

  /** Runs `fn` for every account whose chat.db has the chat with this guid. */
  #everyChatCopy(chatGuid: string, fn: (account: string, chatRowId: number) => void): void {
    for (const a of this.world.accounts) {
      const rowid = this.world.writer(a.name).chatRowId(chatGuid);
      if (rowid !== undefined) fn(a.name, rowid);
    }
  }
}
