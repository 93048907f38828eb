import type Database from 'better-sqlite3';
import { SimError } from './errors.js';

/** Which optional columns and tables a chat.db has (imsg's MessageStoreSchema, reference §8.1). */
export interface ChatDbSchema {
  /** `guid`, `associated_message_guid` and `associated_message_type` all present. */
  readonly hasReactionColumns: boolean;
  readonly hasAttributedBody: boolean;
  readonly hasThreadOriginatorGuid: boolean;
  readonly hasDestinationCallerId: boolean;
  readonly hasAudioMessage: boolean;
  readonly hasBalloonBundleId: boolean;
  readonly hasMessageDate: boolean;
  readonly hasChatHandleJoin: boolean;
  readonly hasAttachmentUserInfo: boolean;
  readonly hasAssociatedMessageEmoji: boolean;
  /** 0.15 payload columns (reference/imsg-protocol-v1.md §5.1). */
  readonly hasReplyToGuid: boolean;
  readonly hasThreadOriginatorPart: boolean;
  readonly hasIsRead: boolean;
  readonly hasDateRead: boolean;
  readonly hasScheduleColumns: boolean;
  readonly hasPayloadData: boolean;
  readonly hasMessageSummaryInfo: boolean;
  readonly chatAccountColumns: { accountId: boolean; accountLogin: boolean; lastAddressedHandle: boolean };
}

const REQUIRED: Record<string, readonly string[]> = {
  message: ['ROWID', 'handle_id', 'text', 'date', 'is_from_me', 'service'],
  chat: ['ROWID', 'chat_identifier', 'guid', 'display_name', 'service_name'],
  handle: ['ROWID', 'id'],
  chat_message_join: ['chat_id', 'message_id'],
};

/** Column names of a table, lower-cased; empty when the table does not exist. */
export function tableColumns(db: Database.Database, table: string): Set<string> {
  const rows = db.prepare(`PRAGMA table_info(${JSON.stringify(table)})`).all() as { name: string; pk: number }[];
  const names = new Set(rows.map((r) => r.name.toLowerCase()));
  // An INTEGER PRIMARY KEY aliases ROWID; a table declared without one still has an implicit rowid.
  if (rows.length > 0) names.add('rowid');
  return names;
}

/** Probes the schema with PRAGMA table_info, as imsg does; throws when a required column is absent. */
export function probeSchema(db: Database.Database): ChatDbSchema {
  const cols = new Map<string, Set<string>>();
  for (const table of ['message', 'chat', 'handle', 'chat_message_join', 'chat_handle_join', 'attachment']) {
    cols.set(table, tableColumns(db, table));
  }
  for (const [table, required] of Object.entries(REQUIRED)) {
    const have = cols.get(table)!;
    const missing = required.filter((c) => !have.has(c.toLowerCase()));
    if (missing.length > 0) {
      throw new SimError('SCHEMA_MISSING', `chat.db table ${table} lacks column(s) ${missing.join(', ')}`);
    }
  }
  const message = cols.get('message')!;
  const chat = cols.get('chat')!;
  const has = (set: Set<string>, name: string) => set.has(name.toLowerCase());
  return {
    hasReactionColumns: has(message, 'guid') && has(message, 'associated_message_guid') && has(message, 'associated_message_type'),
    hasAttributedBody: has(message, 'attributedBody'),
    hasThreadOriginatorGuid: has(message, 'thread_originator_guid'),
    hasDestinationCallerId: has(message, 'destination_caller_id'),
    hasAudioMessage: has(message, 'is_audio_message'),
    hasBalloonBundleId: has(message, 'balloon_bundle_id'),
    hasAssociatedMessageEmoji: has(message, 'associated_message_emoji'),
    hasReplyToGuid: has(message, 'reply_to_guid'),
    hasThreadOriginatorPart: has(message, 'thread_originator_part'),
    hasIsRead: has(message, 'is_read'),
    hasDateRead: has(message, 'date_read'),
    hasScheduleColumns: has(message, 'schedule_type') || has(message, 'schedule_state'),
    hasPayloadData: has(message, 'payload_data'),
    hasMessageSummaryInfo: has(message, 'message_summary_info'),
    hasMessageDate: has(cols.get('chat_message_join')!, 'message_date'),
    hasChatHandleJoin: cols.get('chat_handle_join')!.size > 0,
    hasAttachmentUserInfo: has(cols.get('attachment')!, 'user_info'),
    chatAccountColumns: {
      accountId: has(chat, 'account_id'),
      accountLogin: has(chat, 'account_login'),
      lastAddressedHandle: has(chat, 'last_addressed_handle'),
    },
  };
}
