import {
  type ActionMethod,
  type GroupIconParams,
  type GroupLeaveParams,
  type GroupMemberParams,
  type GroupRenameParams,
  HubError,
  type PollSendParams,
  type SendOutcome,
} from '@imsg-hub/hub-protocol';
import type { OutboxRecord, TokenRecord } from '@imsg-hub/store';
import { outboundFile } from '../outbound-file.js';
import { type ActionDeps, chatSelector } from './action-deps.js';
import { gateAction } from './action-gate.js';

interface ChatTarget {
  chat_id?: number | undefined;
  chat_guid?: string | undefined;
  account?: string | undefined;
  idempotency_key?: string | undefined;
  wait_ms?: number | undefined;
}

/** One kind of action on a chat: the imsg method, what it adds to imsg's params, and what was asked. */
interface ChatActionSpec {
  method: ActionMethod;
  /** Only in a group (group management). */
  groupOnly: boolean;
  extra: Record<string, unknown>;
  request: unknown[];
  file?: { sha256: string; name: string } | undefined;
}

/**
 * Actions on a chat — group management (rename, members, leave, photo) and polls — routed like a
 * send to that chat (design.md "Routing"): the named account if it is in the chat, else the chat's
 * own account for a hub chat id, else the route's pick among the member accounts; never outside
 * the token's accounts; gated on what that account's imsg can do now; durable and idempotent.
 */
export class ChatActions {
  readonly #deps: ActionDeps;

  constructor(deps: ActionDeps) {
    this.#deps = deps;
  }

  rename(p: GroupRenameParams, client: TokenRecord): Promise<SendOutcome> {
    return this.#act(p, client, { method: 'group.rename', groupOnly: true, extra: { name: p.name }, request: [p.name] });
  }

  member(p: GroupMemberParams, client: TokenRecord, add: boolean): Promise<SendOutcome> {
    const method = add ? 'group.addParticipant' : 'group.removeParticipant';
    return this.#act(p, client, { method, groupOnly: true, extra: { address: p.address }, request: [p.address] });
  }

  leave(p: GroupLeaveParams, client: TokenRecord): Promise<SendOutcome> {
    return this.#act(p, client, { method: 'group.leave', groupOnly: true, extra: {}, request: [] });
  }

  /** The group's photo: an uploaded file (the agent fetches it and hands imsg its path), or none to clear it. */
  setIcon(p: GroupIconParams, client: TokenRecord): Promise<SendOutcome> {
    return this.#act(p, client, { method: 'group.setIcon', groupOnly: true, extra: {}, request: [p.file ?? null], file: p.file });
  }

  pollSend(p: PollSendParams, client: TokenRecord): Promise<SendOutcome> {
    const extra = {
      question: p.question,
      options: p.options,
      ...(p.reply_to ? { reply_to: p.reply_to } : {}),
      ...(p.comment ? { comment: p.comment } : {}),
      ...(p.suppress_comment ? { suppress_comment: true } : {}),
    };
    return this.#act(p, client, { method: 'poll.send', groupOnly: false, extra, request: [extra] });
  }

  #act(p: ChatTarget, client: TokenRecord, spec: ChatActionSpec): Promise<SendOutcome> {
    const { router, model, registry, outbox, store, blobs } = this.#deps;
    const target = p.chat_id !== undefined ? `chat_id:${p.chat_id}` : `chat_guid:${p.chat_guid}`;
    const request = [spec.method, target, p.account ?? null, ...spec.request];
    return outbox.submit(request, client, { key: p.idempotency_key, waitMs: p.wait_ms }, async () => {
      const route = router.resolve({ target, account: p.account, client });
      const chat = route.chatId !== undefined ? model.chatRecord(route.chatId) : undefined;
      if (!chat) throw new HubError('NOT_FOUND', `no chat ${target} among the accounts this token sees; list them with chats.list`);
      if (spec.groupOnly && !chat.isGroup) {
        throw new HubError('INVALID_PARAMS', `${target} is a direct chat with ${chat.identifier}, not a group; ${spec.method} works on groups only`);
      }
      gateAction(route.account, spec.method, registry.health(route.account)?.imsg);
      const file: OutboxRecord['file'] = spec.file ? await outboundFile(store, blobs, client, spec.file) : undefined;
      return {
        account: route.account,
        method: spec.method,
        target,
        route: route.route,
        chatId: chat.id,
        params: { ...chatSelector(chat), ...spec.extra },
        file,
      };
    });
  }
}
