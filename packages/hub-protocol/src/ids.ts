import { z } from 'zod';

// Identifiers, each branded so one can never pass for another. Scope of uniqueness in each comment.

/** Short name of one Apple ID on one macOS user (`alice`, `work`). Unique within a hub. */
export const AccountNameSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'account names are 1-32 chars of a-z, 0-9, _ and -, starting with a letter or digit')
  .brand<'AccountName'>();
export type AccountName = z.infer<typeof AccountNameSchema>;

/** Hub chat id: a stable positive integer, unique across all accounts of a hub. */
export type HubChatId = number & z.$brand<'HubChatId'>;
/** Hub message sequence: positive, strictly increasing, unique across all accounts of a hub. */
export type HubSeq = number & z.$brand<'HubSeq'>;
/** A chat.db ROWID (message or chat): unique only within one account's chat.db and epoch. */
export type NativeRowId = number & z.$brand<'NativeRowId'>;
/** Generation of an account's chat.db; a new epoch starts when the file is replaced. Per account. */
export type Epoch = number & z.$brand<'Epoch'>;
/** Message guid as imsg gives it; the same for every recipient of one message. */
export type MessageGuid = string & z.$brand<'MessageGuid'>;

export const asAccount = (s: string): AccountName => s as AccountName;
export const asHubChatId = (n: number): HubChatId => n as HubChatId;
export const asHubSeq = (n: number): HubSeq => n as HubSeq;
export const asNativeRowId = (n: number): NativeRowId => n as NativeRowId;
export const asEpoch = (n: number): Epoch => n as Epoch;

/** People write a chat as `<account>:chat_id:<hub id>`. */
export function formatChatRef(account: string, chatId: number): string {
  return `${account}:chat_id:${chatId}`;
}

/** Parses `<account>:chat_id:<n>` or `chat_id:<n>`; undefined when it is neither. */
export function parseChatRef(ref: string): { account?: string; chatId: number } | undefined {
  const m = /^(?:([a-z0-9][a-z0-9_-]{0,31}):)?chat_id:(\d+)$/i.exec(ref.trim());
  if (!m) return undefined;
  const chatId = Number(m[2]);
  if (!Number.isSafeInteger(chatId) || chatId <= 0) return undefined;
  return m[1] ? { account: m[1].toLowerCase(), chatId } : { chatId };
}
