import { z } from 'zod';
import { ImsgStateSchema } from './agent-methods.js';
import { ImsgInfoSchema } from './imsg-info.js';
import { SendOutcomeSchema } from './send.js';
import { HubChatSchema, HubMessageSchema } from './hub-message.js';
import { ImsgPassthroughMethodSchema } from './imsg-passthrough.js';
import { boundedJson, FIELD_BOUNDS } from './json-bounds.js';

// Client ↔ hub methods after `hello` (docs/hub-protocol.md).

export const AccountHealthSchema = z.object({
  name: z.string(),
  agent: z.object({ connected: z.boolean(), id: z.string().optional(), since: z.string().optional() }),
  imsg: z.object({ state: ImsgStateSchema.or(z.literal('unknown')), detail: z.string().optional(), restarts: z.number().int().optional() }),
  last_row_at: z.string().optional(),
  cursor: z.object({ epoch: z.number().int(), hwm: z.number().int() }),
  /** Rows the Mac has that the hub has not stored yet, from the agent's latest probe. */
  lag: z.number().int().optional(),
  messages: z.number().int(),
  /** Sends not final: waiting, handed to the agent, and in doubt (resolve with `send.resolve`). */
  outbox: z.object({ queued: z.number().int(), dispatched: z.number().int(), in_doubt: z.number().int() }),
  /** What the account's imsg can do now, as its agent last reported; absent until it does. */
  capabilities: ImsgInfoSchema.optional(),
});
export type AccountHealth = z.infer<typeof AccountHealthSchema>;

export const AccountsListResultSchema = z.object({ accounts: z.array(AccountHealthSchema) });

export const ChatsListParamsSchema = z.object({
  account: z.string().max(64).optional(),
  limit: z.number().int().positive().max(10_000).optional(),
  /** Merged view: one entry per conversation (shared groups once). Default true without `account`. */
  merged: z.boolean().optional(),
});
/** Set when the answer reached `limits.max_answer_bytes` before `limit`: ask again from the last item. */
const truncated = z.boolean().optional();

export const ChatsListResultSchema = z.object({ chats: z.array(HubChatSchema), truncated });

export const HistoryParamsSchema = z.object({
  chat_id: z.number().int().positive(),
  /** View the conversation as this one account (its own copies); default: merged. */
  account: z.string().max(64).optional(),
  limit: z.number().int().positive().max(10_000).optional(),
  /** Only messages with hub id below / above these. */
  before: z.number().int().optional(),
  after: z.number().int().optional(),
  attachments: z.boolean().optional(),
});
export const HistoryResultSchema = z.object({ messages: z.array(HubMessageSchema), truncated });

/**
 * `messages.after` (client → hub): stored messages with hub id > `after`, oldest first, across every
 * chat in view (or one chat's conversation): the pager behind imsg 0.15's `messages.after`.
 */
export const MessagesAfterParamsSchema = z.object({
  after: z.number().int().nonnegative(),
  accounts: z.array(z.string().max(64)).max(64).optional(),
  chat_id: z.number().int().positive().optional(),
  /** One copy per message among the accounts in view (default true). */
  merged: z.boolean().optional(),
  /** Tapback rows as messages of their own (default false). */
  include_reactions: z.boolean().optional(),
  limit: z.number().int().positive().max(1000).optional(),
});

export const WatchSubscribeParamsSchema = z.object({
  /** Replay every message with hub id > since, then continue live. Absent: live only. */
  since: z.number().int().nonnegative().optional(),
  accounts: z.array(z.string().max(64)).max(64).optional(),
  chat_id: z.number().int().positive().optional(),
  /** Deliver a message seen by several accounts once (default true). */
  merged: z.boolean().optional(),
  include_reactions: z.boolean().optional(),
  /** Deliver `messages {subscription, messages:[…]}` notifications (several per frame) instead of `message`. */
  batch: z.boolean().optional(),
  /** Also deliver `send.status {subscription, outcome}` whenever a send or action of an account in view changes (receipts included). */
  include_sends: z.boolean().optional(),
  /** Also deliver `typing {subscription, account, chat_id?, chat_guid, typing, at}` from accounts in view whose imsg streams bridge events. */
  include_typing: z.boolean().optional(),
});
export type WatchSubscribeParams = z.infer<typeof WatchSubscribeParamsSchema>;
export const WatchSubscribeResultSchema = z.object({ subscription: z.number().int(), seq: z.number().int() });
export const WatchUnsubscribeParamsSchema = z.object({ subscription: z.number().int() });

/** `message` notification to clients. */
export const HubMessageNotificationSchema = z.object({ subscription: z.number().int(), message: HubMessageSchema });
export type HubMessageNotification = z.infer<typeof HubMessageNotificationSchema>;
/** `messages` notification to clients that asked for `batch`: consecutive messages, ascending. */
export const HubMessagesNotificationSchema = z.object({ subscription: z.number().int(), messages: z.array(HubMessageSchema).min(1) });
/** `send.status` notification to watches with `include_sends`: a send or action changed state. */
export const SendStatusNotificationSchema = z.object({ subscription: z.number().int(), outcome: SendOutcomeSchema });

/**
 * `imsg.call` (client → hub): `typing`/`read` passed to the owning account's imsg. `params` name the
 * chat as the facade does (`chat_id` = hub chat id, or `to` = a handle); the hub routes like a send.
 */
export const ClientImsgCallParamsSchema = z.object({
  account: z.string().max(64).optional(),
  method: ImsgPassthroughMethodSchema,
  params: boundedJson(z.record(z.string(), z.unknown()), FIELD_BOUNDS.free),
});

/**
 * `reactions.list` (client → hub): the tapback rows (`is_reaction`) that point at these message
 * guids, ascending by hub id, within the token's accounts (or `accounts`). Clients aggregate them
 * into a message's current `reactions` (imsg §3.2); a copy per account may appear.
 */
export const ReactionsListParamsSchema = z.object({
  guids: z.array(z.string().min(1).max(200)).max(500),
  accounts: z.array(z.string().max(64)).max(64).optional(),
});
export const ReactionsListResultSchema = z.object({ reactions: z.array(HubMessageSchema), truncated });

/**
 * `messages.search` (client → hub): full-text search over every stored message of the accounts in
 * view (reactions excluded), newest first, one copy per message (merged). Words must all match; the
 * last one matches as a prefix too. Page with `before` = the last result's `id`.
 */
export const SearchParamsSchema = z.object({
  query: z.string().min(1).max(500),
  accounts: z.array(z.string().max(64)).max(64).optional(),
  chat_id: z.number().int().positive().optional(),
  /** Sender handle (phone in E.164, or email). */
  sender: z.string().min(1).max(320).optional(),
  from_me: z.boolean().optional(),
  /** ISO 8601 bounds on the message's time: [since, until). */
  since: z.iso.datetime({ offset: true }).optional(),
  until: z.iso.datetime({ offset: true }).optional(),
  before: z.number().int().positive().optional(),
  limit: z.number().int().positive().max(200).optional(),
});
export type SearchParams = z.infer<typeof SearchParamsSchema>;
export const SearchResultSchema = z.object({
  messages: z.array(HubMessageSchema),
  /** Pass as `before` for the next page; absent on the last page. */
  next_before: z.number().int().positive().optional(),
  truncated,
});

/**
 * `handles.check` (client → hub): asks each account's imsg (`handles.check`, bridge) whether it can
 * reach a handle by iMessage. One entry per account in view: `available` when imsg answered,
 * else `error` saying why that account cannot tell (offline, too old, no bridge).
 */
export const HandlesCheckParamsSchema = z.object({
  handle: z.string().min(3).max(320),
  accounts: z.array(z.string().max(64)).max(64).optional(),
});
export const HandlesCheckResultSchema = z.object({
  handle: z.string(),
  accounts: z.array(z.object({ account: z.string(), available: z.boolean().optional(), error: z.string().optional() })),
});

/**
 * `sends.recent` (client → hub): the latest sends and actions of the accounts in view, newest first,
 * with where each stands (receipts in `result.delivery`, `delivered_at`, `read_at`): what a watch
 * with `include_sends` would have shown, for a view opened later (the status page).
 */
export const SendsRecentParamsSchema = z.object({
  accounts: z.array(z.string().max(64)).max(64).optional(),
  limit: z.number().int().positive().max(200).optional(),
});
export const SendsRecentResultSchema = z.object({ sends: z.array(SendOutcomeSchema) });

export const BlobGetParamsSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  offset: z.number().int().nonnegative().optional(),
  length: z
    .number()
    .int()
    .positive()
    .max(4 * 1024 * 1024)
    .optional(),
});
