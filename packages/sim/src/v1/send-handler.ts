import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { RpcError } from '@imsg-hub/jsonrpc';
import { ATTEMPT_ID_PATTERN, DeliveryFailure, imsgError, SEND_KEYS, StrictParams, type ImsgV1Call } from '@imsg-hub/imsg-protocol';
import { looksLikePhone, normalizeHandle } from '../handle.js';
import { expandHome } from '../message-payload.js';
import { bridgeSend, dispatchSend } from './bridge-dispatch.js';
import type { ChatDbReaderV1 } from './chat-db-reader-v1.js';
import type { ChatRowV1 } from './payload-v1.js';
import type { V1Context, V1Handler } from './v1-context.js';

// `send` and `send.tracked` of imsg 0.15 (RPCServer+SendHandlers.swift@ed7ee426, reference
// §3.12–3.13): validation before any side effect, the bridge when it runs and the chat exists,
// AppleScript otherwise, typed delivery failures, and a caller-owned guid for tracked sends.

export const send: V1Handler = (ctx, call) => sendV1(ctx, call, false);
export const sendTracked: V1Handler = (ctx, call) => sendV1(ctx, call, true);

/** An existing one-to-one chat with `handle` on the service asked for (ChatTargetResolver.existingDirectChat). */
export function existingDirectChat(reader: ChatDbReaderV1 | undefined, handle: string, service: 'auto' | 'imessage' | 'sms'): ChatRowV1 | undefined {
  if (!reader) return undefined;
  const prefixes = service === 'sms' ? ['SMS', 'any'] : service === 'imessage' ? ['iMessage', 'any'] : ['iMessage', 'any', 'SMS'];
  for (const p of prefixes) {
    const chat = reader.findChat({ guid: `${p};-;${handle}` });
    if (chat) return chat;
  }
  return undefined;
}

function sendV1(ctx: V1Context, call: ImsgV1Call, tracked: boolean): unknown {
  const method = tracked ? 'send.tracked' : 'send';
  const params = new StrictParams(call.params, method, [...SEND_KEYS, 'attempt_id']);
  const text = params.string('text') ?? '';
  const file = params.string('file') ?? '';
  let attemptId: string | undefined;
  if (tracked) {
    const raw = params.string('attempt_id');
    if (raw === undefined || !ATTEMPT_ID_PATTERN.test(raw)) throw imsgError.invalidParams('attempt_id must be a UUID');
    attemptId = raw.toLowerCase();
  } else if (params.string('attempt_id') !== undefined) {
    throw imsgError.invalidParams('attempt_id is only supported by send.tracked');
  }
  params.objectArray('text_formatting', ['textFormatting', 'formatting']);
  const service = params.string('service') ?? 'auto';
  if (service !== 'auto' && service !== 'imessage' && service !== 'sms') throw imsgError.invalidParams('invalid service');
  const transport = (params.string('transport') ?? 'auto').toLowerCase();
  if (transport !== 'auto' && transport !== 'bridge' && transport !== 'applescript') throw imsgError.invalidParams('invalid transport');
  const region = params.string('region') ?? 'US';
  params.boolean('allow_sms_fallback', ['allowSMSFallback']);
  const replyTo = params.string('reply_to', ['replyTo', 'reply_to_guid', 'message_guid']) || undefined;
  const input = params.recipientOrChatTarget();
  const hasChatTarget = input.recipient === '';
  if (!hasChatTarget && !looksLikePhone(input.recipient) && !input.recipient.includes('@')) {
    // A Contacts name: the simulator has no Contacts catalog (Contacts "unavailable").
    throw imsgError.invalidParams(`Contacts are unavailable, so "${input.recipient}" cannot be resolved; send to a phone number or email`);
  }
  const recipient = hasChatTarget ? '' : normalizeHandle(input.recipient, region);
  if (text === '' && file === '') throw imsgError.invalidParams('text or file is required');
  if (tracked && (text === '' || file !== '')) throw imsgError.invalidParams('send.tracked supports exactly one text message');
  if (tracked && transport === 'applescript') throw imsgError.invalidParams('send.tracked requires bridge transport');

  let reader: ChatDbReaderV1 | undefined;
  if (tracked) {
    reader = ctx.db.require();
    if (reader.sendStatusRow(attemptId!)) {
      throw new DeliveryFailure('not_started', 'bridge_v2', 'send-message', 'attempt_id already identifies a message; choose a new UUID');
    }
  } else if (input.chatId !== undefined) {
    reader = ctx.db.require();
  } else {
    reader = ctx.db.available();
  }
  let chatIdentifier = input.chatIdentifier;
  let chatGuid = input.chatGuid;
  if (input.chatId !== undefined) {
    const chat = reader!.chatRow(input.chatId);
    if (!chat) throw imsgError.invalidParams(`unknown chat_id ${input.chatId}`);
    chatIdentifier = chat.identifier ?? '';
    chatGuid = chat.guid ?? '';
  }
  if (hasChatTarget && chatIdentifier === '' && chatGuid === '') throw imsgError.invalidParams('missing chat identifier or guid');
  let effective = service;
  if (service === 'auto' && !hasChatTarget && reader) {
    const sms = reader.findChat({ guid: `SMS;-;${recipient}` });
    const imessage = reader.findChat({ guid: `iMessage;-;${recipient}` }) ?? reader.findChat({ guid: `any;-;${recipient}` });
    if (sms && !imessage) effective = 'sms';
  }
  const direct = hasChatTarget ? undefined : existingDirectChat(reader, recipient, effective as 'auto' | 'imessage' | 'sms');
  const bridgeGuid = chatGuid || chatIdentifier || direct?.guid || direct?.identifier || undefined;

  if (bridgeGuid && transport !== 'applescript' && (transport === 'bridge' || ctx.bridge.ready)) {
    try {
      const {
        outcome,
        chat,
        service: chatService,
      } = bridgeSend(ctx, {
        chatGuid: bridgeGuid,
        text,
        file: file || undefined,
        replyTo,
        guid: attemptId,
        operation: file ? 'send-attachment' : 'send-message',
      });
      const guid = outcome.rows[0]!.guid;
      return {
        ok: true,
        transport: 'bridge',
        guid,
        message_id: guid,
        chat_guid: chat.guid,
        service: chatService,
        ...(attemptId ? { attempt_id: attemptId } : {}),
      };
    } catch (err) {
      // Only a retry-safe bridge failure (or a bridge RpcError) under `auto` without reply_to falls
      // back to AppleScript; never a tracked send, never an outcome that may have happened.
      const strict = tracked || transport === 'bridge' || replyTo !== undefined;
      if (err instanceof DeliveryFailure) {
        if (strict || !err.retrySafe) throw err;
      } else if (err instanceof RpcError) {
        if (strict) throw err;
      } else {
        throw imsgError.internal(err instanceof Error ? err.message : String(err));
      }
    }
  } else if (tracked || transport === 'bridge') {
    throw imsgError.invalidParams('bridge transport requires an existing chat target');
  } else if (replyTo !== undefined) {
    throw imsgError.invalidParams('reply_to requires bridge transport; AppleScript fallback cannot send threaded replies');
  }
  return appleScriptSend(ctx, reader, { recipient, chatGuid, chatIdentifier, direct, text, file, service: effective });
}

interface AppleScriptSend {
  recipient: string;
  chatGuid: string;
  chatIdentifier: string;
  direct: ChatRowV1 | undefined;
  text: string;
  file: string;
  service: string;
}

/** The AppleScript path: Messages writes the rows; verification finds the text row (§3.12). */
function appleScriptSend(ctx: V1Context, reader: ChatDbReaderV1 | undefined, s: AppleScriptSend): unknown {
  const w = ctx.world.writer(ctx.account);
  let targetChat: string | undefined;
  if (s.recipient === '') {
    targetChat = (w.chatRecord({ guid: s.chatGuid || s.chatIdentifier }) ?? w.chatRecord({ identifier: s.chatIdentifier || s.chatGuid }))?.guid;
    if (!targetChat) throw imsgError.internal(`AppleScript failed: Messages got an error: Can’t get chat id "${s.chatGuid || s.chatIdentifier}".`);
  }
  let file: string | undefined;
  if (s.file) {
    file = resolve(expandHome(s.file));
    if (!existsSync(file) || !statSync(file).isFile()) throw imsgError.internal(`AppleScript failed: Attachment not found at ${file}`);
  }
  const outcome = dispatchSend(ctx, 'applescript', 'send', () => {
    const sent = ctx.world.send({
      account: ctx.account,
      ...(targetChat ? { chatGuid: targetChat } : { to: s.recipient }),
      text: s.text,
      file,
      service: s.service === 'sms' ? 'SMS' : s.direct?.service === 'SMS' ? 'SMS' : 'iMessage',
      outgoingState: 'pending',
    });
    for (const row of sent.rows) ctx.receipts.track(ctx.account, row.guid, sent.delivered.length > 0);
    return sent;
  });
  const result: Record<string, unknown> = { ok: true, transport: 'applescript' };
  if (!reader) return result;
  // Verification: the text row when there was text, else the file row.
  const row = s.text ? outcome.rows.find((r) => r.text === s.text) : outcome.rows[0];
  if (row) {
    result['id'] = row.rowid;
    result['guid'] = row.guid;
    result['message_id'] = row.guid;
    const chat = reader.chatRow(row.chatId);
    if (chat?.guid) result['chat_guid'] = chat.guid;
    if (chat?.service) result['service'] = chat.service;
  }
  return result;
}
