import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DeliveryFailure, imsgV1Error, type DeliveryTransport } from '@imsg-hub/imsg-protocol';
import type { ServiceName } from '../chat-db-writer.js';
import { newMessageGuid } from '../delivery.js';
import { SimError } from '../errors.js';
import { expandHome } from '../message-payload.js';
import type { SendOutcome, SendSpec } from '../world.js';
import type { ChatDbReaderV1 } from './chat-db-reader-v1.js';
import type { ChatRowV1 } from './payload-v1.js';
import type { V1Context } from './v1-context.js';

/** The bridge action names imsg reports as `operation` (MessagesHelperAction raw values). */
export type BridgeOperation =
  | 'send-message'
  | 'send-attachment'
  | 'send-multipart'
  | 'send-reaction'
  | 'edit-message'
  | 'unsend-message'
  | 'delete-message'
  | 'notify-anyways'
  | 'start-typing'
  | 'stop-typing'
  | 'mark-chat-read'
  | 'mark-chat-unread'
  | 'set-display-name'
  | 'add-participant'
  | 'remove-participant'
  | 'leave-chat'
  | 'update-group-photo'
  | 'create-chat'
  | 'delete-chat'
  | 'create-poll'
  | 'vote-poll'
  | 'send-sticker'
  | 'share-nickname'
  | 'should-offer-nickname-sharing'
  | 'check-imessage-availability';

const LOCK_ABSENT = 'The bridge ready lock is absent. Run imsg launch explicitly before retrying.';

/**
 * invokeBridge for a mutation: the bridge must be running (else `not_started` before dispatch);
 * a failure inside the simulated helper after dispatch is `may_have_completed`, as imsg maps any
 * post-dispatch helper error (RPCServer+ChatHandlers.swift). Reads fail with -32003 instead.
 */
export function invokeBridge<T>(ctx: V1Context, operation: BridgeOperation, mutation: boolean, act: () => T): T {
  if (!ctx.bridge.ready) {
    if (mutation) throw new DeliveryFailure('not_started', 'bridge_v2', operation, LOCK_ABSENT);
    throw imsgV1Error.bridgeUnavailable();
  }
  try {
    return act();
  } catch (err) {
    if (err instanceof DeliveryFailure) throw err;
    if (!mutation) throw imsgV1Error.bridgeUnavailable();
    throw new DeliveryFailure('may_have_completed', 'bridge_v2', operation, err instanceof Error ? err.message : String(err));
  }
}

/**
 * Applies the test-only `next_send` fault to a send-like dispatch: `not_started` writes nothing,
 * `may_have_completed` writes the message then reports the outcome unknown, `still_in_flight`
 * writes it a moment after answering (and the server then poisons the mutation lane).
 */
export function dispatchSend<T>(ctx: V1Context, transport: DeliveryTransport, operation: string, write: () => T): T {
  const fault = ctx.faults.takeSendFault();
  if (fault === undefined) return write();
  ctx.log?.warn({ fault, operation }, 'test fault: send outcome injected');
  if (fault === 'not_started') throw new DeliveryFailure('not_started', transport, operation, 'imsg-sim fault: the send was refused before dispatch.');
  if (fault === 'may_have_completed') {
    write();
    throw new DeliveryFailure('may_have_completed', transport, operation, 'imsg-sim fault: the send was dispatched but its outcome could not be confirmed.');
  }
  setTimeout(() => {
    try {
      write();
    } catch {
      // the world closed before the in-flight send landed
    }
  }, 200);
  throw new DeliveryFailure('still_in_flight', transport, operation, 'imsg-sim fault: the send is still in flight and may complete after this answer.');
}

/** The chat a bridge GUID names in the sender's chat.db: exact guid, else identifier, else `any;` twins. */
export function bridgeChat(reader: ChatDbReaderV1 | undefined, guid: string): ChatRowV1 | undefined {
  if (!reader) return undefined;
  const exact = reader.findChat({ guid }) ?? reader.findChat({ identifier: guid });
  if (exact) return exact;
  const m = /^(any|iMessage|SMS);([+-]);(.+)$/.exec(guid);
  if (!m) return undefined;
  for (const service of ['iMessage', 'any', 'SMS']) {
    const twin = reader.findChat({ guid: `${service};${m[2]};${m[3]}` });
    if (twin) return twin;
  }
  return undefined;
}

/** A staged file: it must exist and be a regular file, else the send never started. */
export function stageFile(file: string, operation: BridgeOperation): string {
  const path = resolve(expandHome(file));
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new DeliveryFailure('not_started', 'bridge_v2', operation, 'The attachment could not be staged before bridge dispatch.');
  }
  return path;
}

export interface BridgeSendSpec {
  chatGuid: string;
  text: string;
  file?: string | undefined;
  replyTo?: string | undefined;
  guid?: string | undefined;
  operation: BridgeOperation;
  columns?: SendSpec['columns'];
}

/** The helper's sendMessage / sendAttachment: one row at the sender (pending), delivered across the world. */
export function bridgeSend(ctx: V1Context, spec: BridgeSendSpec): { outcome: SendOutcome; chat: ChatRowV1; service: ServiceName } {
  return invokeBridge(ctx, spec.operation, true, () => {
    const reader = ctx.db.available();
    const chat = bridgeChat(reader, spec.chatGuid) ?? bridgeChatByWriter(ctx, spec.chatGuid);
    if (!chat?.guid) throw new DeliveryFailure('not_started', 'bridge_v2', spec.operation, `Chat not found: ${spec.chatGuid}`);
    const file = spec.file ? stageFile(spec.file, spec.operation) : undefined;
    let replyTo: SendSpec['replyTo'];
    if (spec.replyTo) {
      const parent = ctx.world.writer(ctx.account).messageText(spec.replyTo);
      if (parent === undefined) throw new SimError('UNKNOWN_CHAT', `Message not found: ${spec.replyTo}`);
      replyTo = { guid: spec.replyTo, part: `0:0:${[...parent].length}` };
    }
    const service: ServiceName = chat.service === 'SMS' ? 'SMS' : 'iMessage';
    const transport = 'bridge_v2';
    const outcome = dispatchSend(ctx, transport, spec.operation, () => {
      const sent = ctx.world.send({
        account: ctx.account,
        chatGuid: chat.guid!,
        text: spec.text,
        file,
        together: true,
        service,
        guid: spec.guid ?? newMessageGuid(),
        replyTo,
        columns: spec.columns,
        outgoingState: 'pending',
      });
      for (const row of sent.rows) ctx.receipts.track(ctx.account, row.guid, sent.delivered.length > 0);
      return sent;
    });
    return { outcome, chat, service };
  });
}

/** The sender's chat when its chat.db is not readable by imsg (the fault), read through Messages' side. */
function bridgeChatByWriter(ctx: V1Context, guid: string): ChatRowV1 | undefined {
  const w = ctx.world.writer(ctx.account);
  const chat = w.chatRecord({ guid }) ?? w.chatRecord({ identifier: guid });
  if (!chat) return undefined;
  return {
    id: chat.rowid,
    identifier: chat.identifier,
    guid: chat.guid,
    display_name: chat.displayName,
    service: chat.service,
    account_id: null,
    account_login: null,
    last_addressed_handle: chat.lastAddressedHandle,
  };
}
