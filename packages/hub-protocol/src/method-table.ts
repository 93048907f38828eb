import type { Peer, RequestOptions } from '@imsg-hub/jsonrpc';
import { describeZod, JsonRpcErrorCode, RpcError } from '@imsg-hub/jsonrpc';
import type { z } from 'zod';
import * as A from './agent-methods.js';
import * as Act from './actions.js';
import * as C from './client-methods.js';
import * as G from './chat-actions.js';
import { HubError } from './hub-errors.js';
import * as S from './send.js';
import * as T from './typing.js';

/** A method's params and result schemas: the single source of its wire types. */
export interface MethodSpec {
  params: z.ZodType;
  result: z.ZodType;
}
export type MethodTable = Record<string, MethodSpec>;

const upload = {
  'upload.begin': { params: A.UploadBeginParamsSchema, result: A.UploadBeginResultSchema },
  'upload.chunk': { params: A.UploadChunkParamsSchema, result: A.PingResultSchema.partial() },
  'upload.finish': { params: A.UploadFinishParamsSchema, result: A.UploadFinishResultSchema },
} as const;
const ping = { ping: { params: A.PingParamsSchema, result: A.PingResultSchema } } as const;

/** Agent → hub requests (after hello). */
export const AGENT_TO_HUB = {
  rows: { params: A.RowsParamsSchema, result: A.RowsResultSchema },
  'epoch.new': { params: A.EpochNewParamsSchema, result: A.EpochNewResultSchema },
  'blob.read': { params: A.BlobReadParamsSchema, result: A.BlobReadResultSchema },
  ...upload,
  ...ping,
} as const satisfies MethodTable;

/** Agent → hub notifications. */
export const AGENT_NOTIFICATIONS = {
  'account.state': { params: A.AccountStateParamsSchema, result: A.PingResultSchema.partial() },
  'send.receipt': { params: A.SendReceiptParamsSchema, result: A.PingResultSchema.partial() },
  'chat.typing': { params: T.ChatTypingParamsSchema, result: A.PingResultSchema.partial() },
  'chats.unread': { params: A.ChatsUnreadParamsSchema, result: A.PingResultSchema.partial() },
} as const satisfies MethodTable;

/** Hub → agent requests. */
export const HUB_TO_AGENT = {
  'send.dispatch': { params: A.SendDispatchParamsSchema, result: A.SendDispatchResultSchema },
  'imsg.call': { params: A.ImsgCallParamsSchema, result: A.ImsgCallResultSchema },
  ...ping,
} as const satisfies MethodTable;

/** Client → hub requests (after hello). */
export const CLIENT_TO_HUB = {
  'accounts.list': { params: A.PingParamsSchema, result: C.AccountsListResultSchema },
  'chats.list': { params: C.ChatsListParamsSchema, result: C.ChatsListResultSchema },
  'messages.history': { params: C.HistoryParamsSchema, result: C.HistoryResultSchema },
  'messages.after': { params: C.MessagesAfterParamsSchema, result: C.HistoryResultSchema },
  'watch.subscribe': { params: C.WatchSubscribeParamsSchema, result: C.WatchSubscribeResultSchema },
  'watch.unsubscribe': { params: C.WatchUnsubscribeParamsSchema, result: A.PingResultSchema.partial() },
  send: { params: S.SendRequestSchema, result: S.SendOutcomeSchema },
  'send.status': { params: S.SendStatusParamsSchema, result: S.SendOutcomeSchema },
  'send.resolve': { params: S.SendResolveParamsSchema, result: S.SendOutcomeSchema },
  'sends.recent': { params: C.SendsRecentParamsSchema, result: C.SendsRecentResultSchema },
  'blob.get': { params: C.BlobGetParamsSchema, result: A.BlobReadResultSchema },
  'reactions.list': { params: C.ReactionsListParamsSchema, result: C.ReactionsListResultSchema },
  'messages.search': { params: C.SearchParamsSchema, result: C.SearchResultSchema },
  'handles.check': { params: C.HandlesCheckParamsSchema, result: C.HandlesCheckResultSchema },
  'message.react': { params: Act.ReactParamsSchema, result: S.SendOutcomeSchema },
  'message.edit': { params: Act.EditParamsSchema, result: S.SendOutcomeSchema },
  'message.unsend': { params: Act.UnsendParamsSchema, result: S.SendOutcomeSchema },
  'group.rename': { params: G.GroupRenameParamsSchema, result: S.SendOutcomeSchema },
  'group.add_member': { params: G.GroupMemberParamsSchema, result: S.SendOutcomeSchema },
  'group.remove_member': { params: G.GroupMemberParamsSchema, result: S.SendOutcomeSchema },
  'group.leave': { params: G.GroupLeaveParamsSchema, result: S.SendOutcomeSchema },
  'group.set_icon': { params: G.GroupIconParamsSchema, result: S.SendOutcomeSchema },
  'poll.send': { params: G.PollSendParamsSchema, result: S.SendOutcomeSchema },
  'poll.vote': { params: G.PollVoteParamsSchema, result: S.SendOutcomeSchema },
  'poll.unvote': { params: G.PollVoteParamsSchema, result: S.SendOutcomeSchema },
  'imsg.call': { params: C.ClientImsgCallParamsSchema, result: A.ImsgCallResultSchema },
  ...upload,
  ...ping,
} as const satisfies MethodTable;

/** Hub → client notifications. */
export const HUB_TO_CLIENT_NOTIFICATIONS = {
  message: { params: C.HubMessageNotificationSchema, result: A.PingResultSchema.partial() },
  messages: { params: C.HubMessagesNotificationSchema, result: A.PingResultSchema.partial() },
  'send.status': { params: C.SendStatusNotificationSchema, result: A.PingResultSchema.partial() },
  typing: { params: T.TypingNotificationSchema, result: A.PingResultSchema.partial() },
} as const satisfies MethodTable;

/** Every request a hub, an agent or a client calls on a hub or an agent, by name (`imsg.call` as hub → agent). */
export const HUB_METHODS = { ...CLIENT_TO_HUB, ...AGENT_TO_HUB, ...AGENT_NOTIFICATIONS, ...HUB_TO_AGENT } as const;

export type HubMethod = keyof typeof HUB_METHODS;
export type HubParams<M extends HubMethod> = z.input<(typeof HUB_METHODS)[M]['params']>;
export type HubResult<M extends HubMethod> = z.infer<(typeof HUB_METHODS)[M]['result']>;

/**
 * A handler for every method of a table, typed from its schemas. Build handler maps with
 * `satisfies MethodHandlers<typeof TABLE>`: a method without a handler fails the typecheck.
 */
export type MethodHandlers<T extends MethodTable> = {
  [M in keyof T]: (params: z.output<T[M]['params']>) => Promise<z.input<T[M]['result']>> | z.input<T[M]['result']>;
};

/** Validates params of an incoming call of `table`; throws INVALID_PARAMS naming the bad field. */
export function parseMethodParams<T extends MethodTable, M extends keyof T & string>(table: T, method: M, params: unknown): z.output<T[M]['params']> {
  const r = table[method]!.params.safeParse(params ?? {});
  if (!r.success) throw new HubError('INVALID_PARAMS', `invalid params for ${method}: ${describeZod(r.error)}`);
  return r.data as z.output<T[M]['params']>;
}

/** Validates params of an incoming hub call; throws INVALID_PARAMS naming the bad field. */
export function parseParams<M extends HubMethod>(method: M, params: unknown): z.infer<(typeof HUB_METHODS)[M]['params']> {
  return parseMethodParams(HUB_METHODS, method, params) as z.infer<(typeof HUB_METHODS)[M]['params']>;
}

/** Answers one incoming call from a handler map: params validated, unknown methods refused. */
export async function dispatchMethod<T extends MethodTable>(table: T, handlers: MethodHandlers<T>, method: string, params: unknown): Promise<unknown> {
  if (!Object.hasOwn(table, method)) throw new RpcError(JsonRpcErrorCode.MethodNotFound, 'Method not found', method);
  const m = method as keyof T & string;
  return handlers[m](parseMethodParams(table, m, params));
}

/** Calls a method of `table` over a Peer and validates the result. */
export async function callMethod<T extends MethodTable, M extends keyof T & string>(
  table: T,
  peer: { request(method: string, params: unknown, options?: RequestOptions): Promise<unknown> },
  method: M,
  params: z.input<T[M]['params']>,
  options?: RequestOptions,
): Promise<z.output<T[M]['result']>> {
  const raw = await peer.request(method, params, options);
  const r = table[method]!.result.safeParse(raw);
  if (!r.success) throw new TypeError(`${method} returned an unexpected result: ${describeZod(r.error)}`);
  return r.data as z.output<T[M]['result']>;
}

/** Calls a hub method over a Peer and validates the result. */
export function callHub<M extends HubMethod>(peer: Peer, method: M, params: HubParams<M>, options?: RequestOptions): Promise<HubResult<M>> {
  return callMethod(HUB_METHODS, peer, method, params as never, options) as Promise<HubResult<M>>;
}
