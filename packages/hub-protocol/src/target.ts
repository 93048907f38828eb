import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/** A parsed send target (design.md "Target grammar"; compatible with OpenClaw's). */
export type Target =
  | { kind: 'chat_id'; chatId: number; account?: string }
  | { kind: 'chat_guid'; guid: string; account?: string }
  | { kind: 'chat_identifier'; identifier: string; account?: string }
  | { kind: 'handle'; handle: string; service: 'auto' | 'imessage' | 'sms'; account?: string };

export class TargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetError';
  }
}

const CHAT_PREFIXES: [RegExp, 'chat_id' | 'chat_guid' | 'chat_identifier'][] = [
  [/^(?:chat_id|chatid|chat):/i, 'chat_id'],
  [/^(?:chat_guid|chatguid|guid):/i, 'chat_guid'],
  [/^(?:chat_identifier|chatidentifier|chatident):/i, 'chat_identifier'],
];
const SERVICE_PREFIX = /^(imessage|sms|auto):/i;
const ACCOUNT_PREFIX = /^([a-z0-9][a-z0-9_-]{0,31})\/(.+)$/i;

/**
 * Parses `[<account>/](chat_id:<n> | chat_guid:<g> | chat_identifier:<s> | imessage:<h> | sms:<h> |
 * auto:<h> | <phone> | <email>)`. Phones become E.164 using `region` (default US); emails lowercase.
 * Throws TargetError naming what is wrong.
 */
export function parseTarget(input: string, region = 'US'): Target {
  let rest = input.trim();
  if (rest === '') throw new TargetError('target is empty: give chat_id:<n>, a phone number, an email, or imessage:<handle>');
  let account: string | undefined;
  const acct = ACCOUNT_PREFIX.exec(rest);
  if (acct) {
    account = acct[1]!.toLowerCase();
    rest = acct[2]!.trim();
  }
  const withAccount = <T extends Target>(t: T): T => (account ? { ...t, account } : t);
  let service: 'auto' | 'imessage' | 'sms' = 'auto';
  const svc = SERVICE_PREFIX.exec(rest);
  if (svc) {
    service = svc[1]!.toLowerCase() as typeof service;
    rest = rest.slice(svc[0].length).trim();
  }
  for (const [re, kind] of CHAT_PREFIXES) {
    const m = re.exec(rest);
    if (!m) continue;
    const value = rest.slice(m[0].length).trim();
    if (value === '') throw new TargetError(`${kind} target has no value: write ${kind}:<value>`);
    if (kind === 'chat_id') {
      if (!/^\d+$/.test(value) || Number(value) <= 0 || !Number.isSafeInteger(Number(value))) {
        throw new TargetError(`invalid chat_id "${value}": expected a positive integer hub chat id`);
      }
      return withAccount({ kind, chatId: Number(value) });
    }
    return withAccount(kind === 'chat_guid' ? { kind, guid: value } : { kind, identifier: value });
  }
  if (rest === '') throw new TargetError(`target "${input}" names a service but no handle`);
  return withAccount({ kind: 'handle', handle: normalizeHandle(rest, region), service });
}

/** A handle as chat.db writes it, for matching stored rows: `normalizeHandle` where it parses, else as given (trimmed). */
export function storedHandle(handle: string, region = 'US'): string {
  try {
    return normalizeHandle(handle, region);
  } catch {
    return handle.trim();
  }
}

/** Canonical handle form: lowercase email, or E.164 phone (raw input when it is not a valid number). */
export function normalizeHandle(handle: string, region = 'US'): string {
  const h = handle.trim();
  if (h.includes('@')) {
    if (!/^[^\s@]+@[^\s@]+$/.test(h)) throw new TargetError(`invalid email handle "${h}"`);
    return h.toLowerCase();
  }
  if (!/^[+\d(][\d\s().-]*$/.test(h)) {
    throw new TargetError(`invalid handle "${h}": expected a phone number or an email address`);
  }
  const phone = parsePhoneNumberFromString(h, region.toUpperCase() as CountryCode);
  if (phone?.isPossible()) return phone.number;
  const digits = h.replace(/[^\d+]/g, '');
  if (digits.replace('+', '').length < 3) throw new TargetError(`invalid phone number "${h}": too short`);
  return digits.startsWith('+') ? digits : `+${digits}`;
}

/** The target back in grammar form (for logs, send records and CLI output). */
export function formatTarget(t: Target): string {
  const prefix = t.account ? `${t.account}/` : '';
  switch (t.kind) {
    case 'chat_id':
      return `${prefix}chat_id:${t.chatId}`;
    case 'chat_guid':
      return `${prefix}chat_guid:${t.guid}`;
    case 'chat_identifier':
      return `${prefix}chat_identifier:${t.identifier}`;
    case 'handle':
      return `${prefix}${t.service === 'auto' ? '' : `${t.service}:`}${t.handle}`;
  }
}
