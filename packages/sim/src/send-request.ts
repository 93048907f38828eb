import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { imsgError, intParam, stringParam, type Params } from '@imsg-hub/imsg-protocol';
import type { ChatDbReader } from './chat-db-reader.js';
import type { ServiceName } from './chat-db-writer.js';
import { looksLikePhone, normalizeHandle } from './handle.js';
import { expandHome, type ChatInfo } from './message-payload.js';

/** What the simulated bridge answers: it never runs on Linux (imsg without `imsg launch`). */
export const BRIDGE_UNAVAILABLE_TEXT = 'IMCore bridge is not running: start it with `imsg launch` (requires SIP disabled)';

/** A validated `send`: a direct handle, or an existing chat of the account's db. */
export type SendTarget = { kind: 'direct'; to: string; service: ServiceName } | { kind: 'chat'; chat: ChatInfo };

export interface ValidSend {
  target: SendTarget;
  text: string;
  /** Absolute path of an existing file, or undefined. */
  file: string | undefined;
}

const SERVICES = new Set(['auto', 'imessage', 'sms']);
const TRANSPORTS = new Set(['auto', 'bridge', 'applescript']);

/** A `chat_identifier` that imsg sends to as a buddy rather than a chat (§5.1). */
function identifierIsHandle(identifier: string): boolean {
  return identifier.includes('@') || looksLikePhone(identifier) || /^(imessage|sms|auto):/i.test(identifier);
}

function stripServicePrefix(value: string): string {
  return value.replace(/^(imessage|sms|auto):/i, '');
}

/** The chat_* / to target of `send`, `typing` and `read`, with imsg's checks (§4). */
export function chatTargetParams(params: Params): { to: string; chatId: number | undefined; identifier: string; guid: string } {
  return {
    to: stringParam(params, 'to') ?? '',
    chatId: intParam(params, 'chat_id'),
    identifier: stringParam(params, 'chat_identifier') ?? '',
    guid: stringParam(params, 'chat_guid') ?? '',
  };
}

/**
 * Validates `send` in imsg's order: service → transport → to/chat mixing → text/file → chat_id
 * lookup → identifier presence; then the file (AppleScript's staging) and the simulated bridge.
 */
export function validateSend(params: Params, reader: ChatDbReader): ValidSend {
  const service = stringParam(params, 'service') ?? 'auto';
  if (!SERVICES.has(service)) throw imsgError.invalidParams('invalid service');
  const transport = (stringParam(params, 'transport') ?? 'auto').toLowerCase();
  if (!TRANSPORTS.has(transport)) throw imsgError.invalidParams('invalid transport');
  const t = chatTargetParams(params);
  const hasChat = t.chatId !== undefined || t.identifier !== '' || t.guid !== '';
  if (t.to !== '' && hasChat) throw imsgError.invalidParams('use to or chat_*; not both');
  if (t.to === '' && !hasChat) throw imsgError.invalidParams('to is required for direct sends');
  const text = stringParam(params, 'text') ?? '';
  const fileParam = stringParam(params, 'file') ?? '';
  if (text === '' && fileParam === '') throw imsgError.invalidParams('text or file is required');
  let identifier = t.identifier;
  let guid = t.guid;
  if (t.chatId !== undefined) {
    const chat = reader.chatInfo(t.chatId);
    if (!chat) throw imsgError.invalidParams(`unknown chat_id ${t.chatId}`);
    identifier = chat.identifier;
    guid = chat.guid;
  }
  if (hasChat && identifier === '' && guid === '') throw imsgError.invalidParams('missing chat identifier or guid');

  const region = stringParam(params, 'region') ?? 'US';
  const sendService: ServiceName = service === 'sms' ? 'SMS' : 'iMessage';
  let target: SendTarget;
  let existingChat: ChatInfo | undefined;
  if (!hasChat || identifierIsHandle(identifier)) {
    const raw = hasChat ? stripServicePrefix(identifier) : t.to;
    const to = normalizeHandle(raw, region);
    target = { kind: 'direct', to, service: sendService };
    existingChat = directChat(reader, to);
  } else {
    const chat = guid !== '' ? reader.findChat({ guid }) : reader.findChat({ identifier });
    if (!chat) {
      throw imsgError.internal(`AppleScript failed: Messages got an error: Can’t get chat id "${guid || identifier}".`);
    }
    target = { kind: 'chat', chat };
    existingChat = chat;
  }
  if (transport === 'bridge') {
    if (!existingChat) throw imsgError.invalidParams('bridge transport requires an existing chat target');
    if (text !== '' && fileParam !== '') throw imsgError.invalidParams('bridge transport does not support text and file together');
    throw imsgError.internal(BRIDGE_UNAVAILABLE_TEXT);
  }
  let file: string | undefined;
  if (fileParam !== '') {
    file = resolve(expandHome(fileParam));
    if (!existsSync(file) || !statSync(file).isFile()) {
      throw imsgError.internal(`AppleScript failed: Attachment not found at ${file}`);
    }
  }
  return { target, text, file };
}

/** An existing one-to-one chat with `handle` (imsg's bridge-guid candidates, §5.2). */
export function directChat(reader: ChatDbReader, handle: string): ChatInfo | undefined {
  for (const prefix of ['iMessage;-;', 'any;-;', 'SMS;-;']) {
    const chat = reader.findChat({ guid: prefix + handle });
    if (chat) return chat;
  }
  return reader.findChat({ identifier: handle });
}

const TYPING_SERVICES = new Set(['imessage', 'sms', 'auto']);

/** `typing` / `read` as the bridge answers them once the target checks pass (§6). */
export function validateChatTarget(method: string, params: Params, reader: ChatDbReader): void {
  const t = chatTargetParams(params);
  const hasChat = t.chatId !== undefined || t.identifier !== '' || t.guid !== '';
  if (t.to !== '' && hasChat) throw imsgError.invalidParams('use to or chat_*; not both');
  if (t.to === '' && !hasChat) throw imsgError.invalidParams('chat_guid, chat_identifier, or chat_id is required');
  if (t.chatId !== undefined && !reader.chatInfo(t.chatId)) throw imsgError.invalidParams(`unknown chat_id ${t.chatId}`);
  if (method === 'typing') {
    const service = (stringParam(params, 'service') ?? 'imessage').toLowerCase();
    if (!TYPING_SERVICES.has(service)) throw imsgError.invalidParams('invalid service');
  }
}
