import { homedir } from 'node:os';
import { resolve } from 'node:path';
import { imsgError, intParam, stringParam, type Params } from '@imsg-hub/imsg-protocol';

/** An imsg `send` turned into a hub send. */
export interface SendPlan {
  /** Hub target grammar: `chat_id:<hub id>`, `chat_guid:<g>`, `chat_identifier:<s>`, `[imessage:|sms:]<handle>`. */
  target: string;
  /** The imsg `chat_id` named, so a hub "no route" reads `unknown chat_id <n>` as imsg says. */
  chatId: number | undefined;
  /** Caption ('' when none; OpenClaw's `<media:kind>` placeholder next to a file counts as none). */
  text: string;
  /** Absolute local path of the file to send. */
  file: string | undefined;
  /** Phone region, when it is one the hub understands (two letters). */
  region: string | undefined;
}

const SERVICES = new Set(['auto', 'imessage', 'sms']);
const TRANSPORTS = new Set(['auto', 'bridge', 'applescript']);
const SERVICE_PREFIX = /^(imessage|sms|auto):/i;
/** OpenClaw puts `<media:image>` (etc.) as the text of a file without caption (clawdbot §3.4). */
const MEDIA_PLACEHOLDER = /^<media:[a-z]+>$/;

/** A `chat_identifier` imsg sends to as a buddy rather than a chat (reference §5.1). */
function looksLikeHandle(identifier: string): boolean {
  return identifier.includes('@') || /^\+?[\d\s().-]+$/.test(identifier) || SERVICE_PREFIX.test(identifier);
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? homedir() + path.slice(1) : path;
}

/**
 * Validates `send` params in imsg's order and with imsg's texts (reference §4): service →
 * transport → to/chat mixing → text/file. The chat lookup comes after, at the hub.
 */
export function planSend(params: Params): SendPlan {
  const service = stringParam(params, 'service') ?? 'auto';
  if (!SERVICES.has(service)) throw imsgError.invalidParams('invalid service');
  const transport = (stringParam(params, 'transport') ?? 'auto').toLowerCase();
  if (!TRANSPORTS.has(transport)) throw imsgError.invalidParams('invalid transport');
  const to = stringParam(params, 'to') ?? '';
  const chatId = intParam(params, 'chat_id');
  const identifier = stringParam(params, 'chat_identifier') ?? '';
  const guid = stringParam(params, 'chat_guid') ?? '';
  const hasChat = chatId !== undefined || identifier !== '' || guid !== '';
  if (to !== '' && hasChat) throw imsgError.invalidParams('use to or chat_*; not both');
  if (to === '' && !hasChat) throw imsgError.invalidParams('to is required for direct sends');
  const text = stringParam(params, 'text') ?? '';
  const fileParam = stringParam(params, 'file') ?? '';
  if (text === '' && fileParam === '') throw imsgError.invalidParams('text or file is required');
  if (transport === 'bridge') {
    // imsg would try its IMCore bridge; the hub's agents send the plain way only.
    throw imsgError.internal('imsg-hub: transport "bridge" is not available through the hub; use transport auto or applescript');
  }
  return {
    target: sendTarget({ to, chatId, chatIdentifier: identifier, chatGuid: guid }, service),
    chatId,
    text: captionOf(text, fileParam),
    file: localPath(fileParam),
    region: regionOf(stringParam(params, 'region')),
  };
}

/** OpenClaw's `<media:kind>` placeholder next to a file means no caption. */
export function captionOf(text: string, file: string): string {
  return file !== '' && MEDIA_PLACEHOLDER.test(text) ? '' : text;
}

/** An absolute local path (`~` expanded), or undefined for none. */
export function localPath(file: string): string | undefined {
  return file === '' ? undefined : resolve(expandHome(file));
}

/** A phone region the hub understands (two letters), upper-cased. */
export function regionOf(region: string | undefined): string | undefined {
  return region !== undefined && /^[A-Za-z]{2}$/.test(region) ? region.toUpperCase() : undefined;
}

/**
 * The hub target of an imsg send: a hub chat id, a chat guid or identifier, or a handle (a chat
 * identifier that is a handle is a buddy send in imsg), with the service when one was named.
 */
export function sendTarget(t: { to: string; chatId: number | undefined; chatIdentifier: string; chatGuid: string }, service: string): string {
  const direct = (handle: string) => (SERVICE_PREFIX.test(handle) || service === 'auto' ? handle : `${service}:${handle}`);
  if (t.chatId !== undefined) return `chat_id:${t.chatId}`;
  if (t.chatIdentifier !== '' && looksLikeHandle(t.chatIdentifier)) return direct(t.chatIdentifier);
  if (t.chatGuid !== '') return `chat_guid:${t.chatGuid}`;
  if (t.chatIdentifier !== '') return `chat_identifier:${t.chatIdentifier}`;
  return direct(t.to.trim());
}
