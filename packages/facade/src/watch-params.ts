import { boolParam, firstPresent, imsgError, intParam, type Params } from '@imsg-hub/imsg-protocol';
import { parseMessageFilter, type MessageFilter } from './message-filter.js';

/** A `watch.subscribe` request in hub terms. */
export interface WatchSpec {
  /** Replay after this hub id, then live; undefined = live only. */
  since: number | undefined;
  /** Hub chat id to follow; undefined = every chat. */
  chatId: number | undefined;
  /** A `chat_id` no chat can have (0 or negative): imsg just stays silent. */
  matchesNothing: boolean;
  filter: MessageFilter;
  attachments: boolean;
  includeReactions: boolean;
}

/**
 * Validates like imsg (debounce first, then dates) and maps `since_rowid` onto the hub sequence:
 * absent, null or 0 → only messages from now on; N > 0 → everything after hub id N; negative →
 * everything the hub has (reference §2.3). `debounce_ms` only batches file events in imsg; the hub
 * pushes each message as it is stored, so it is validated and otherwise has nothing to do.
 */
export function parseWatchParams(params: Params): WatchSpec {
  const debounceKey = firstPresent(params, ['debounce_ms', 'debounceMs']);
  if (debounceKey !== undefined) {
    const value = intParam(params, debounceKey);
    if (value === undefined || value < 0) throw imsgError.invalidParams('debounce_ms must be a non-negative integer');
  }
  const filter = parseMessageFilter(params);
  const sinceRowid = intParam(params, 'since_rowid');
  const chatId = intParam(params, 'chat_id');
  return {
    since: sinceRowid === undefined || sinceRowid === 0 ? undefined : Math.max(sinceRowid, 0),
    chatId: chatId !== undefined && chatId > 0 ? chatId : undefined,
    matchesNothing: chatId !== undefined && chatId <= 0,
    filter,
    attachments: boolParam(params, 'attachments') ?? false,
    includeReactions: boolParam(params, 'include_reactions') ?? false,
  };
}
