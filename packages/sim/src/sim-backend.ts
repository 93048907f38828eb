import {
  boolParam,
  firstPresent,
  IMSG_090_METHODS,
  imsgError,
  intParam,
  isoDateParam,
  stringArrayParam,
  type ImsgBackend,
  type ImsgSession,
  type Params,
} from '@imsg-hub/imsg-protocol';
import type { ChatDbReader } from './chat-db-reader.js';
import { DbChangeSource } from './db-change-source.js';
import { BRIDGE_UNAVAILABLE_TEXT, validateChatTarget, validateSend } from './send-request.js';
import { Watcher } from './watcher.js';
import type { SimWorld } from './world.js';

/** The methods imsg-sim answers with a result (the rest of imsg 0.9's list answer -32603). */
export const SIM_RPC_METHODS = ['chats.list', 'messages.history', 'watch.subscribe', 'watch.unsubscribe', 'send', 'typing', 'read'] as const;

const ANSWERED = new Set<string>(SIM_RPC_METHODS);
const KNOWN = new Set<string>(IMSG_090_METHODS);

export interface SimBackendOptions {
  reader: ChatDbReader;
  /** The world and account this chat.db plays; `send` writes through it. */
  world: SimWorld;
  account: string;
  /** Fallback poll period of watch subscriptions (default 5 s, as imsg). */
  pollMs?: number;
  /** Rows per watch trigger: one page of 100 as imsg (default), or every page (`drain`). */
  pace?: 'imsg' | 'drain';
}

const DEFAULT_DEBOUNCE_MS = 500;
const DEFAULT_POLL_MS = 5000;

/** `imsg rpc` over one account's chat.db. */
export class SimBackend implements ImsgBackend {
  readonly #reader: ChatDbReader;
  readonly #world: SimWorld;
  readonly #account: string;
  readonly #pollMs: number;
  readonly #pace: 'imsg' | 'drain';
  readonly #changes: DbChangeSource;
  readonly #watchers = new Map<number, Watcher>();
  #nextSubscription = 1;

  constructor(options: SimBackendOptions) {
    this.#reader = options.reader;
    this.#world = options.world;
    this.#account = options.account;
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.#pace = options.pace ?? 'imsg';
    this.#changes = new DbChangeSource(options.reader.path);
  }

  handle(method: string, params: Params, session: ImsgSession): unknown {
    switch (method) {
      case 'chats.list':
        return { chats: this.#reader.listChats(Math.max(intParam(params, 'limit') ?? 20, 1)) };
      case 'messages.history':
        return this.#history(params);
      case 'watch.subscribe':
        return this.#subscribe(params, session);
      case 'watch.unsubscribe':
        return this.#unsubscribe(params);
      case 'send':
        return this.#send(params);
      case 'typing':
      case 'read':
        validateChatTarget(method, params, this.#reader);
        return { ok: true };
      default:
        if (KNOWN.has(method) && !ANSWERED.has(method)) throw imsgError.internal(BRIDGE_UNAVAILABLE_TEXT);
        throw imsgError.methodNotFound(method);
    }
  }

  close(): void {
    for (const w of this.#watchers.values()) w.stop();
    this.#watchers.clear();
    this.#changes.close();
    this.#reader.close();
    this.#world.close();
  }

  #history(params: Params): unknown {
    const chatId = intParam(params, 'chat_id');
    if (chatId === undefined) throw imsgError.invalidParams('chat_id is required');
    const { startMs, endMs } = dateRange(params);
    return {
      messages: this.#reader.history({
        chatId,
        limit: Math.max(intParam(params, 'limit') ?? 50, 1),
        participants: stringArrayParam(params, 'participants'),
        startMs,
        endMs,
        attachments: boolParam(params, 'attachments') ?? false,
      }),
    };
  }

  #subscribe(params: Params, session: ImsgSession): unknown {
    const debounceKey = firstPresent(params, ['debounce_ms', 'debounceMs']);
    let debounceMs = DEFAULT_DEBOUNCE_MS;
    if (debounceKey !== undefined) {
      const value = intParam(params, debounceKey);
      if (value === undefined || value < 0) throw imsgError.invalidParams('debounce_ms must be a non-negative integer');
      debounceMs = value;
    }
    const { startMs, endMs } = dateRange(params);
    const since = intParam(params, 'since_rowid');
    // since_rowid absent, null or 0 → start at the current max; N > 0 → after N; negative → whole table.
    const cursor = since === undefined || since === 0 ? this.#reader.maxRowId() : since;
    const id = this.#nextSubscription++;
    const watcher = new Watcher(
      this.#reader,
      this.#changes,
      {
        cursor,
        chatId: intParam(params, 'chat_id'),
        includeReactions: boolParam(params, 'include_reactions') ?? false,
        attachments: boolParam(params, 'attachments') ?? false,
        participants: stringArrayParam(params, 'participants'),
        startMs,
        endMs,
        debounceMs,
        pollMs: this.#pollMs,
        pace: this.#pace,
      },
      {
        message: (message) => session.notify('message', { subscription: id, message }),
        error: (message) => session.notify('error', { subscription: id, error: { message } }),
      },
    );
    this.#watchers.set(id, watcher);
    watcher.start();
    return { subscription: id };
  }

  #unsubscribe(params: Params): unknown {
    const id = intParam(params, 'subscription');
    if (id === undefined) throw imsgError.invalidParams('subscription is required');
    this.#watchers.get(id)?.stop();
    this.#watchers.delete(id);
    return { ok: true };
  }

  #send(params: Params): unknown {
    const valid = validateSend(params, this.#reader);
    const outcome = this.#world.send({
      account: this.#account,
      ...(valid.target.kind === 'direct'
        ? { to: valid.target.to, service: valid.target.service }
        : { chatGuid: valid.target.chat.guid, service: valid.target.chat.service === 'SMS' ? 'SMS' : 'iMessage' }),
      text: valid.text,
      file: valid.file,
    });
    // Like imsg's verifier: id/guid only when there was text to find the sent row by.
    const textRow = valid.text === '' ? undefined : outcome.rows[0];
    return textRow ? { ok: true, transport: 'applescript', id: textRow.rowid, guid: textRow.guid } : { ok: true, transport: 'applescript' };
  }
}

/** `start`/`end` params; a bad date is imsg's -32603 `Invalid ISO8601 date: <v>`. */
function dateRange(params: Params): { startMs: number | undefined; endMs: number | undefined } {
  return { startMs: isoDateParam(params, 'start'), endMs: isoDateParam(params, 'end') };
}
