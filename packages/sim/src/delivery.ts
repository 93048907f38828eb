import { randomInt, randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { decodeReaction } from '@imsg-hub/imsg-protocol';
import { storeAttachment } from './attachment-store.js';
import type { ChatDbWriter, MessageSpec, ServiceName } from './chat-db-writer.js';
import { encodeBinaryPlist } from './binary-plist.js';
import { handleKey } from './handle.js';

/** What travels between accounts: one message, the same guid in every chat.db it lands in. */
export interface Envelope {
  guid: string;
  /** The sender's handle. */
  from: string;
  text: string;
  dateNanos: bigint;
  service: ServiceName;
  /** A real file; each receiving account gets its own copy. */
  file?: string | undefined;
  /** A tapback: its target guid, code (2000–2006 add, 3000–3006 remove), custom emoji and part. */
  reaction?: { target: string; code: number; emoji?: string | undefined; part?: number | undefined } | undefined;
  threadOriginatorGuid?: string | undefined;
  /** `thread_originator_part` of a threaded reply, e.g. `0:0:5`. */
  threadOriginatorPart?: string | undefined;
  /** Columns the bridge paths add (subject, effect, parts, group events). */
  columns?:
    | Pick<MessageSpec, 'subject' | 'expressiveSendStyleId' | 'partCount' | 'balloonBundleId' | 'itemType' | 'groupActionType' | 'groupTitle'>
    | undefined;
  /** The sender's copy starts pending (bridge sends advance it as receipts arrive). */
  outgoingState?: 'done' | 'pending' | undefined;
  /** A group event naming another member (`other_handle`): added, removed. */
  otherHandle?: string | undefined;
}

/** Where the message goes: a one-to-one chat with `peer`, or a group with every member's handle. */
export type Conversation = { kind: 'direct'; peer: string } | { kind: 'group'; guid: string; name?: string | undefined; members: readonly string[] };

/** One account's side of a delivery. */
export interface Mailbox {
  writer: ChatDbWriter;
  dbPath: string;
  handles: readonly string[];
  /** This account's handle in the conversation: `destination_caller_id`. */
  accountHandle: string;
}

/** A fresh message guid, upper-case like Messages writes them. */
export function newMessageGuid(): string {
  return randomUUID().toUpperCase();
}

/** A fresh group chat guid, `iMessage;+;chat<18 digits>`. */
export function newGroupGuid(service: ServiceName = 'iMessage'): string {
  let digits = String(randomInt(1, 10));
  for (let i = 0; i < 17; i++) digits += String(randomInt(0, 10));
  return `${service};+;chat${digits}`;
}

/** The account's Attachments folder beside its chat.db, like ~/Library/Messages/Attachments. */
export function attachmentsDirOf(dbPath: string): string {
  return join(dirname(dbPath), 'Attachments');
}

const ADDED = ['Loved', 'Liked', 'Disliked', 'Laughed at', 'Emphasized', 'Questioned'];
const REMOVED = ['a heart', 'a like', 'a dislike', 'a laugh', 'an exclamation', 'a question mark'];

/** The text Messages gives a tapback row, e.g. `Liked “hello”`. */
export function reactionText(code: number, emoji: string | undefined, targetText: string): string {
  const decoded = decodeReaction(code);
  const quoted = `“${targetText}”`;
  if (!decoded) return quoted;
  const index = decoded.add ? code - 2000 : code - 3000;
  if (decoded.type === 'custom') {
    return decoded.add ? `Reacted ${emoji ?? ''} to ${quoted}` : `Removed a ${emoji ?? ''} from ${quoted}`;
  }
  return decoded.add ? `${ADDED[index]} ${quoted}` : `Removed ${REMOVED[index]} from ${quoted}`;
}

/** Writes the envelope into one account's chat.db (chat created or joined). Returns the row ids. */
export function writeEnvelope(box: Mailbox, env: Envelope, conv: Conversation, isFromMe: boolean): { rowid: number; chatId: number } {
  const own = new Set(box.handles.map(handleKey));
  const w = box.writer;
  return w.transaction(() => {
    let chatId: number;
    let handleRowId: number;
    if (conv.kind === 'direct') {
      chatId = w.ensureChat({
        guid: `${env.service};-;${conv.peer}`,
        identifier: conv.peer,
        service: env.service,
        isGroup: false,
        participants: [conv.peer],
        accountHandle: box.accountHandle,
      });
      handleRowId = w.ensureHandle(conv.peer, env.service);
    } else {
      const members = isFromMe ? conv.members : [...conv.members, env.from];
      chatId = w.ensureChat({
        guid: conv.guid,
        identifier: conv.guid.slice(conv.guid.lastIndexOf(';') + 1),
        service: env.service,
        isGroup: true,
        displayName: conv.name,
        participants: [...new Set(members.filter((h) => !own.has(handleKey(h))))],
        accountHandle: box.accountHandle,
      });
      handleRowId = isFromMe ? 0 : w.ensureHandle(env.from, env.service);
    }
    let text = env.text;
    let summary: Buffer | undefined;
    let range: [number, number] | undefined;
    if (env.reaction) {
      const parent = w.messageText(env.reaction.target) ?? '';
      text = reactionText(env.reaction.code, env.reaction.emoji, parent || 'a message');
      // Messages' tapback rows carry the quoted parent and the target part's range (§5.2).
      summary = encodeBinaryPlist({ amc: 1, ams: parent });
      range = [0, [...parent].length];
    } else if (text === '' && env.file) {
      text = '\ufffc';
    }
    const ordinary = !env.reaction && env.columns?.itemType === undefined;
    const rowid = w.insertMessage({
      guid: env.guid,
      chatRowId: chatId,
      handleRowId,
      text,
      dateNanos: env.dateNanos,
      isFromMe,
      service: env.service,
      destinationCallerId: box.accountHandle,
      associatedMessageGuid: env.reaction ? `p:${env.reaction.part ?? 0}/${env.reaction.target}` : undefined,
      associatedMessageType: env.reaction?.code,
      associatedMessageEmoji: env.reaction?.emoji,
      associatedRange: range,
      messageSummaryInfo: summary,
      threadOriginatorGuid: env.threadOriginatorGuid,
      threadOriginatorPart: env.threadOriginatorPart,
      // Messages fills reply_to_guid on ordinary rows with the chat's previous message (§5.4).
      replyToGuid: ordinary ? (env.threadOriginatorGuid ?? w.lastMessageGuid(chatId)) : undefined,
      otherHandle: env.otherHandle === undefined ? undefined : w.ensureHandle(env.otherHandle, env.service),
      outgoingState: env.outgoingState,
      ...env.columns,
      attachment: env.file ? storeAttachment(env.file, attachmentsDirOf(box.dbPath), randomUUID().toUpperCase()) : undefined,
    });
    return { rowid, chatId };
  });
}
