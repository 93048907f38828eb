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
  let text = stringParam(params, 'text') ?? '';
  const fileParam = stringParam(params, 'file') ?? '';
  if (text === '' && fileParam === '') throw imsgError.invalidParams('text or file is required');
  if (transport === 'bridge') {
    // imsg would try its IMCore bridge; the hub's agents send the plain way only.
    throw imsgError.internal('imsg-hub: transport "bridge" is not available through the hub; use transport auto or applescript');
  }
  if (fileParam !== '' && MEDIA_PLACEHOLDER.test(text)) text = '';

  const direct = (handle: string) => (SERVICE_PREFIX.test(handle) || service === 'auto' ? handle : `${service}:${handle}`);
  let target: string;
  if (chatId !== undefined) target = `chat_id:${chatId}`;
  else if (identifier !== '' && looksLikeHandle(identifier)) target = direct(identifier);
  else if (guid !== '') target = `chat_guid:${guid}`;
  else if (identifier !== '') target = `chat_identifier:${identifier}`;
  else target = direct(to.trim());

  const region = stringParam(params, 'region');
  return {
    target,
    chatId,
    text,
    file: fileParam === '' ? undefined : resolve(expandHome(fileParam)),
    region: region !== undefined && /^[A-Za-z]{2}$/.test(region) ? region.toUpperCase() : undefined,
  };
}
