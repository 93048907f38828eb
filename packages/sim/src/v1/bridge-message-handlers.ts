import {
  imsgError,
  normalizeTapbackReaction,
  ParamKeys,
  SEND_ATTACHMENT_KEYS,
  SEND_RICH_KEYS,
  StrictParams,
  TAPBACK_REACTIONS,
  tapbackResultName,
  unionKeys,
} from '@imsg-hub/imsg-protocol';
import { bridgeSend, invokeBridge, stageFile } from './bridge-dispatch.js';
import { requireKnownChat, resolveChatGuid } from './chat-target.js';
import type { V1Context, V1Handler } from './v1-context.js';

// Message actions through the simulated IMCore bridge (RPCServer+BridgeMessageHandlers.swift@002a9b92,
// reference §3.15–3.19). Each writes chat.db as Messages does and reaches the world (WorldActions).

/** The target message in the sender's chat.db; absent = the helper's post-dispatch error. */
function requireMessage(ctx: V1Context, guid: string): { partCount: number } {
  const row = ctx.world.writer(ctx.account).db.prepare('SELECT IFNULL(part_count, 1) AS parts FROM message WHERE guid = ? LIMIT 1').get(guid) as
    | { parts: number }
    | undefined;
  if (!row) throw new Error(`Message not found: ${guid}`);
  return { partCount: Math.max(1, row.parts) };
}

const TARGET = /^p:(\d+)\/(.+)$/;

export const tapback: V1Handler = (ctx, call) => {
  const params = new StrictParams(
    call.params,
    'tapback',
    unionKeys(ParamKeys.chatTarget, ParamKeys.messageTarget, ParamKeys.partIndex, ['reaction', 'kind', 'emoji', 'remove']),
  );
  const target = params.messageGuid();
  if (!target) throw imsgError.invalidParams('message_id or message_guid is required');
  const remove = params.boolean('remove') ?? false;
  let part = params.integer('part_index', ['partIndex']) ?? 0;
  const chatGuid = resolveChatGuid(ctx, params);
  const emoji = params.string('emoji');
  const reaction = emoji ? undefined : normalizeTapbackReaction(params.string('reaction', ['kind']) ?? '', remove);
  return invokeBridge(ctx, 'send-reaction', true, () => {
    let guid = target;
    if (target.startsWith('p:')) {
      // A `p:N/GUID` target names its part; it overrides part_index (ReactionHandlers.inc).
      const m = TARGET.exec(target);
      if (!m) throw new Error('Malformed reaction target');
      part = Number(m[1]);
      guid = m[2]!;
    }
    const chat = requireKnownChat(ctx, chatGuid);
    const { partCount } = requireMessage(ctx, guid);
    if (part < 0 || part >= partCount) throw new Error('Reaction message part not found');
    const ref = { account: ctx.account, chatGuid: chat, target: guid, part };
    if (emoji) {
      ctx.actions.tapback(ref, remove ? 3006 : 2006, emoji);
      return { ok: true, emoji };
    }
    // `love` → 2000 … `question` → 2005; removals 3000–3005.
    ctx.actions.tapback(ref, (reaction!.remove ? 3000 : 2000) + TAPBACK_REACTIONS.indexOf(reaction!.kind));
    return { ok: true, reaction: tapbackResultName(reaction!) };
  });
};

export const messageEdit: V1Handler = (ctx, call) => {
  const params = new StrictParams(
    call.params,
    'message.edit',
    unionKeys(ParamKeys.chatTarget, ParamKeys.messageTarget, ParamKeys.partIndex, [
      'text',
      'new_text',
      'newText',
      'edited_message',
      'backwards_compatibility_message',
      'backwardsCompatibilityMessage',
      'bc_text',
      'bcText',
    ]),
  );
  const target = params.messageGuid();
  if (!target) throw imsgError.invalidParams('message_id or message_guid is required');
  const text = params.string('text', ['new_text', 'newText', 'edited_message']);
  if (!text) throw imsgError.invalidParams('text is required');
  params.string('backwards_compatibility_message', ['backwardsCompatibilityMessage', 'bc_text', 'bcText']);
  const part = params.integer('part_index', ['partIndex']) ?? 0;
  const chatGuid = resolveChatGuid(ctx, params);
  return invokeBridge(ctx, 'edit-message', true, () => {
    ctx.actions.edit({ account: ctx.account, chatGuid: requireKnownChat(ctx, chatGuid), target, part }, text);
    return { ok: true };
  });
};

function messageAction(method: 'message.unsend' | 'message.delete' | 'message.notifyAnyways'): V1Handler {
  const withPart = method === 'message.unsend';
  const operation = method === 'message.unsend' ? 'unsend-message' : method === 'message.delete' ? 'delete-message' : 'notify-anyways';
  return (ctx, call) => {
    const params = new StrictParams(call.params, method, unionKeys(ParamKeys.chatTarget, ParamKeys.messageTarget, withPart ? ParamKeys.partIndex : []));
    const target = params.messageGuid();
    if (!target) throw imsgError.invalidParams('message_id or message_guid is required');
    const part = withPart ? (params.integer('part_index', ['partIndex']) ?? 0) : 0;
    const chatGuid = resolveChatGuid(ctx, params);
    return invokeBridge(ctx, operation, true, () => {
      const chat = requireKnownChat(ctx, chatGuid);
      requireMessage(ctx, target);
      if (method === 'message.unsend') ctx.actions.unsend({ account: ctx.account, chatGuid: chat, target, part });
      else if (method === 'message.delete') ctx.actions.deleteLocal(ctx.account, target);
      // notifyAnyways breaks through the recipient's Focus: nothing in chat.db changes.
      return { ok: true };
    });
  };
}

export const messageUnsend = messageAction('message.unsend');
export const messageDelete = messageAction('message.delete');
export const messageNotifyAnyways = messageAction('message.notifyAnyways');

/** Short effect names the bridge expands (ExpressiveSendEffect; the full list is UNCERTAIN). */
const EFFECTS: Record<string, string> = {
  slam: 'com.apple.MobileSMS.expressivesend.impact',
  loud: 'com.apple.MobileSMS.expressivesend.loud',
  gentle: 'com.apple.MobileSMS.expressivesend.gentle',
  invisible_ink: 'com.apple.MobileSMS.expressivesend.invisibleink',
  balloons: 'com.apple.messages.effect.CKHappyBirthdayEffect',
  confetti: 'com.apple.messages.effect.CKConfettiEffect',
  love: 'com.apple.messages.effect.CKHeartEffect',
  lasers: 'com.apple.messages.effect.CKLasersEffect',
  fireworks: 'com.apple.messages.effect.CKFireworksEffect',
  celebration: 'com.apple.messages.effect.CKSparklesEffect',
  echo: 'com.apple.messages.effect.CKEchoEffect',
  spotlight: 'com.apple.messages.effect.CKSpotlightEffect',
};

export function expandEffect(effect: string | undefined): string | undefined {
  if (!effect) return undefined;
  return EFFECTS[effect.toLowerCase()] ?? effect;
}

const URL_BALLOON = 'com.apple.messages.URLBalloonProvider';

export const sendRich: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'send.rich', SEND_RICH_KEYS);
  if (params.has('url')) return sendRichLink(ctx, params);
  const text = params.string('text', ['message']) ?? '';
  const file = params.string('file', ['path']) ?? '';
  if ((params.has('file') || params.has('path')) && file === '') throw imsgError.invalidParams('file must be a non-empty string');
  params.integer('part_index', ['partIndex']);
  params.boolean('dd_scan', ['ddScan']);
  const effect = expandEffect(params.string('effect_id', ['effectId', 'effect']));
  const subject = params.string('subject') || undefined;
  const reply = params.string('reply_to', ['replyTo', 'reply_to_guid', 'message_guid']) || undefined;
  params.objectArray('text_formatting', ['textFormatting']);
  const chatGuid = resolveChatGuid(ctx, params);
  if (file && !ctx.db.available()) {
    // Strictly verified file mode needs the database to observe the row.
    throw imsgError.internal('send.rich file mode requires a readable Messages database for verification');
  }
  const { outcome, chat } = bridgeSend(ctx, {
    chatGuid,
    text,
    file: file || undefined,
    replyTo: reply,
    operation: file ? 'send-attachment' : 'send-message',
    columns: { subject, expressiveSendStyleId: effect },
  });
  const row = outcome.rows[0]!;
  return { ok: true, id: row.rowid, guid: row.guid, message_id: row.guid, ...(file ? { messageGuid: row.guid } : {}), chat_guid: chat.guid };
};

/** URL mode: one iMessage rich-link balloon (the URL as text, the URL balloon bundle id). */
function sendRichLink(ctx: V1Context, params: StrictParams): unknown {
  const incompatible = ['text', 'message', 'dd_scan', 'ddScan', 'effect_id', 'effectId', 'effect', 'subject', ...ParamKeys.replyTarget, ...ParamKeys.partIndex];
  for (const key of [...incompatible, 'text_formatting', 'textFormatting', 'file', 'path']) {
    if (params.has(key)) throw imsgError.invalidParams(`${key} is not supported with url`);
  }
  const url = params.string('url');
  if (url === undefined) throw imsgError.invalidParams('url is required');
  if (!/^https?:\/\//i.test(url)) throw imsgError.invalidParams('url must be an http or https URL');
  const reader = ctx.db.require();
  const input = params.chatTarget();
  const chat =
    input.chatId !== undefined
      ? reader.chatRow(input.chatId)
      : input.chatIdentifier
        ? reader.findChat({ identifier: input.chatIdentifier })
        : reader.findChat({ guid: input.chatGuid });
  if (!chat?.guid) throw imsgError.invalidParams('rich links require an existing chat');
  if ((chat.service ?? '').toLowerCase() !== 'imessage') throw imsgError.invalidParams('rich links require an iMessage chat');
  const { outcome } = bridgeSend(ctx, { chatGuid: chat.guid, text: url, operation: 'send-message', columns: { balloonBundleId: URL_BALLOON } });
  const row = outcome.rows[0]!;
  return { ok: true, id: row.rowid, guid: row.guid, message_id: row.guid, chat_guid: chat.guid };
}

export const sendAttachment: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'send.attachment', SEND_ATTACHMENT_KEYS);
  const file = params.string('file', ['path']);
  if (!file) throw imsgError.invalidParams('file is required');
  params.boolean('audio', ['is_audio', 'as_voice']);
  const reply = params.string('reply_to', ['replyTo', 'reply_to_guid', 'message_guid']);
  const part = params.integer('part_index', ['partIndex']);
  if (part !== undefined) {
    if (part < 0) throw imsgError.invalidParams('part_index must be a non-negative integer');
    if (!reply) throw imsgError.invalidParams('part_index requires reply_to');
  }
  const chatGuid = resolveChatGuid(ctx, params);
  stageFile(file, 'send-attachment');
  const { outcome, chat } = bridgeSend(ctx, { chatGuid, text: '', file, replyTo: reply || undefined, operation: 'send-attachment' });
  const row = outcome.rows[0]!;
  return { ok: true, guid: row.guid, message_id: row.guid, chat_guid: chat.guid };
};

const PART_FORBIDDEN = ['file', 'attachment', 'mention', 'mentions'];

export const sendMultipart: V1Handler = (ctx, call) => {
  const params = new StrictParams(call.params, 'send.multipart', unionKeys(ParamKeys.chatTarget, ['parts', 'effect_id', 'effectId', 'effect', 'subject']));
  const parts = params.has('parts') ? params.objectArray('parts') : undefined;
  if (parts === undefined) throw imsgError.invalidParams('parts is required');
  if (parts.length < 1 || parts.length > 20) throw imsgError.invalidParams('parts must contain between 1 and 20 text parts');
  const texts = parts.map((p, i) => {
    const forbidden = PART_FORBIDDEN.find((k) => Object.hasOwn(p, k));
    if (forbidden) throw imsgError.invalidParams(`${forbidden} parts are not supported`);
    const part = new StrictParams(p, `send.multipart parts[${i}]`, ['text', 'text_formatting', 'textFormatting']);
    part.objectArray('text_formatting', ['textFormatting']);
    const text = p['text'];
    if (typeof text !== 'string' || text === '') throw imsgError.invalidParams(`parts[${i}].text must be a non-empty string`);
    return text;
  });
  const effect = expandEffect(params.string('effect_id', ['effectId', 'effect']));
  const subject = params.string('subject') || undefined;
  const chatGuid = resolveChatGuid(ctx, params);
  const { outcome, chat } = bridgeSend(ctx, {
    chatGuid,
    text: texts.join(''),
    operation: 'send-multipart',
    columns: { partCount: texts.length, subject, expressiveSendStyleId: effect },
  });
  const row = outcome.rows[0]!;
  return { ok: true, id: row.rowid, guid: row.guid, message_id: row.guid, messageGuid: row.guid, chat_guid: chat.guid, parts_count: texts.length };
};
