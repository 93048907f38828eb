import type { Peer, RequestOptions } from '@imsg-hub/jsonrpc';
import { describeZod } from '@imsg-hub/jsonrpc';
import type { z } from 'zod';
import * as A from './agent-methods.js';
import * as C from './client-methods.js';
import * as S from './send.js';
import { HubError } from './hub-errors.js';

/** Every hub method: its params and result schema. The single source of the wire types. */
export const HUB_METHODS = {
  // agent → hub
  rows: { params: A.RowsParamsSchema, result: A.RowsResultSchema },
  'epoch.new': { params: A.EpochNewParamsSchema, result: A.EpochNewResultSchema },
  'blob.read': { params: A.BlobReadParamsSchema, result: A.BlobReadResultSchema },
  // hub → agent
  'send.dispatch': { params: A.SendDispatchParamsSchema, result: A.SendDispatchResultSchema },
  'imsg.call': { params: A.ImsgCallParamsSchema, result: A.ImsgCallResultSchema },
  // both
  'upload.begin': { params: A.UploadBeginParamsSchema, result: A.UploadBeginResultSchema },
  'upload.chunk': { params: A.UploadChunkParamsSchema, result: A.PingResultSchema.partial() },
  'upload.finish': { params: A.UploadFinishParamsSchema, result: A.UploadFinishResultSchema },
  'account.state': { params: A.AccountStateParamsSchema, result: A.PingResultSchema.partial() },
  ping: { params: A.PingParamsSchema, result: A.PingResultSchema },
  // client → hub
  'accounts.list': { params: A.PingParamsSchema, result: C.AccountsListResultSchema },
  'chats.list': { params: C.ChatsListParamsSchema, result: C.ChatsListResultSchema },
  'messages.history': { params: C.HistoryParamsSchema, result: C.HistoryResultSchema },
  'watch.subscribe': { params: C.WatchSubscribeParamsSchema, result: C.WatchSubscribeResultSchema },
  'watch.unsubscribe': { params: C.WatchUnsubscribeParamsSchema, result: A.PingResultSchema.partial() },
  send: { params: S.SendRequestSchema, result: S.SendOutcomeSchema },
  'send.status': { params: S.SendStatusParamsSchema, result: S.SendOutcomeSchema },
  'blob.get': { params: C.BlobGetParamsSchema, result: A.BlobReadResultSchema },
  'reactions.list': { params: C.ReactionsListParamsSchema, result: C.ReactionsListResultSchema },
} as const;

export type HubMethod = keyof typeof HUB_METHODS;
export type HubParams<M extends HubMethod> = z.input<(typeof HUB_METHODS)[M]['params']>;
export type HubResult<M extends HubMethod> = z.infer<(typeof HUB_METHODS)[M]['result']>;

/** Validates params of an incoming call; throws INVALID_PARAMS naming the bad field. */
export function parseParams<M extends HubMethod>(method: M, params: unknown): z.infer<(typeof HUB_METHODS)[M]['params']> {
  const r = HUB_METHODS[method].params.safeParse(params ?? {});
  if (!r.success) throw new HubError('INVALID_PARAMS', `invalid params for ${method}: ${describeZod(r.error)}`);
  return r.data as z.infer<(typeof HUB_METHODS)[M]['params']>;
}

/** Calls a hub method over a Peer and validates the result. */
export async function callHub<M extends HubMethod>(peer: Peer, method: M, params: HubParams<M>, options?: RequestOptions): Promise<HubResult<M>> {
  const raw = await peer.request(method, params, options);
  const r = HUB_METHODS[method].result.safeParse(raw);
  if (!r.success) throw new TypeError(`hub ${method} returned an unexpected result: ${describeZod(r.error)}`);
  return r.data as HubResult<M>;
}
