import { parseIsoDate } from '../apple-time.js';
import { imsgError } from '../imsg-error.js';
import type { StrictJson } from './strict-json.js';
import { StrictParams } from './strict-params.js';

// The params of imsg 0.15's reads and watch (reference/imsg-protocol-v1.md §3.2–3.10) as imsg
// validates them: strict keys, imsg's -32602 texts. The simulator and the facade answer from
// different sources but must refuse and default alike, so both parse here.

/** `start`/`end` as Unix ms; a bad value is -32602 `Invalid ISO8601 date: <v>` (0.9 said -32603). */
export function isoDateV1(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseIsoDate(value);
  if (ms === undefined) throw imsgError.invalidParams(`Invalid ISO8601 date: ${value}`);
  return ms;
}

/** An optional positive integer, `fallback` when absent. */
export function positiveParam(params: StrictParams, key: string, fallback: number): number {
  const value = params.integer(key) ?? fallback;
  if (value <= 0) throw imsgError.invalidParams(`${key} must be a positive integer`);
  return value;
}

export function requiredChatIdParam(params: StrictParams): number {
  const chatId = params.integer('chat_id');
  if (chatId === undefined) throw imsgError.invalidParams('chat_id is required');
  if (chatId <= 0) throw imsgError.invalidParams('chat_id must be a positive integer');
  return chatId;
}

/** `buffer_limit` of watches and bridge event streams: 1–4096, 256 when absent. */
export function bufferLimitParam(params: StrictParams, aliases: readonly string[]): number {
  const value = params.integer('buffer_limit', aliases) ?? 256;
  if (value < 1 || value > 4096) throw imsgError.invalidParams('buffer_limit must be an integer between 1 and 4096');
  return value;
}

/** `participants`/`start`/`end` of history and watch. */
export interface MessageWindow {
  participants: string[];
  startMs: number | undefined;
  endMs: number | undefined;
}

function windowOf(params: StrictParams): MessageWindow {
  return { participants: params.stringArray('participants') ?? [], startMs: isoDateV1(params.string('start')), endMs: isoDateV1(params.string('end')) };
}

export interface MessagesAfterParams {
  /** As given (any integer: a negative cursor reads like 0). */
  since: number;
  chatId: number | undefined;
  limit: number;
  attachments: boolean;
  includeReactions: boolean;
}

/** `messages.after {since_rowid, chat_id?, limit? (1–500, 100), attachments?, include_reactions?}` (§3.5). */
export function messagesAfterParams(raw: Record<string, StrictJson>): MessagesAfterParams {
  const params = new StrictParams(raw, 'messages.after', ['since_rowid', 'chat_id', 'limit', 'attachments', 'convert_attachments', 'include_reactions']);
  const since = params.integer('since_rowid');
  if (since === undefined) throw imsgError.invalidParams('since_rowid must be an integer');
  let chatId: number | undefined;
  if (params.has('chat_id')) {
    chatId = params.integer('chat_id');
    if (chatId === undefined || chatId <= 0) throw imsgError.invalidParams('chat_id must be a positive integer');
  }
  let limit = 100;
  if (params.has('limit')) {
    const parsed = params.integer('limit');
    if (parsed === undefined || parsed < 1 || parsed > 500) throw imsgError.invalidParams('limit must be an integer between 1 and 500');
    limit = parsed;
  }
  const attachments = params.boolean('attachments') ?? false;
  params.boolean('convert_attachments');
  return { since, chatId, limit, attachments, includeReactions: params.boolean('include_reactions') ?? false };
}

export interface HistoryV1Params extends MessageWindow {
  chatId: number;
  limit: number;
  attachments: boolean;
}

/** `messages.history {chat_id, limit? (50), participants?, start?, end?, attachments?}` (§3.4). */
export function historyParams(raw: Record<string, StrictJson>): HistoryV1Params {
  const params = new StrictParams(raw, 'messages.history', ['chat_id', 'limit', 'participants', 'start', 'end', 'attachments', 'convert_attachments']);
  const chatId = requiredChatIdParam(params);
  const limit = positiveParam(params, 'limit', 50);
  const window = windowOf(params);
  const attachments = params.boolean('attachments') ?? false;
  params.boolean('convert_attachments');
  return { chatId, limit, ...window, attachments };
}

export interface WatchParams extends MessageWindow {
  chatId: number | undefined;
  /** As given: absent or 0 = from now, N = after N, negative = everything. */
  sinceRowId: number | undefined;
  attachments: boolean;
  includeReactions: boolean;
  /** Absent: imsg's default. */
  debounceMs: number | undefined;
  bufferLimit: number;
}

const WATCH_KEYS = [
  'chat_id',
  'since_rowid',
  'participants',
  'start',
  'end',
  'attachments',
  'convert_attachments',
  'include_reactions',
  'debounce_ms',
  'debounceMs',
  'buffer_limit',
  'bufferLimit',
];

/** `watch.subscribe` (§3.9). */
export function watchParams(raw: Record<string, StrictJson>): WatchParams {
  const params = new StrictParams(raw, 'watch.subscribe', WATCH_KEYS);
  const chatId = params.integer('chat_id');
  if (chatId !== undefined && chatId <= 0) throw imsgError.invalidParams('chat_id must be a positive integer');
  const sinceRowId = params.integer('since_rowid');
  const window = windowOf(params);
  const attachments = params.boolean('attachments') ?? false;
  params.boolean('convert_attachments');
  const includeReactions = params.boolean('include_reactions') ?? false;
  let debounceMs: number | undefined;
  if (params.has('debounce_ms') && params.has('debounceMs')) params.integer('debounce_ms', ['debounceMs']); // alias conflict
  if (params.has('debounce_ms') || params.has('debounceMs')) {
    const value = raw['debounce_ms'] ?? raw['debounceMs'];
    if (typeof value !== 'number' || value < 0) throw imsgError.invalidParams('debounce_ms must be a non-negative integer');
    debounceMs = value;
  }
  return { chatId, sinceRowId, ...window, attachments, includeReactions, debounceMs, bufferLimit: bufferLimitParam(params, ['bufferLimit']) };
}
