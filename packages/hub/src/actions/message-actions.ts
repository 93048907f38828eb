import type { ActionMethod, EditParams, PollVoteParams, ReactParams, SendOutcome, UnsendParams } from '@imsg-hub/hub-protocol';
import type { TokenRecord } from '@imsg-hub/store';
import { type ActionDeps, chatSelector } from './action-deps.js';
import { gateAction } from './action-gate.js';
import { chooseCopy, messageGuid, visibleCopies } from './message-target.js';

interface Target {
  message_id?: number | undefined;
  guid?: string | undefined;
  account?: string | undefined;
  part_index?: number | undefined;
  idempotency_key?: string | undefined;
  wait_ms?: number | undefined;
}

/** One kind of action on a message: the imsg method, who may do it, and what it adds to imsg's params. */
interface MessageActionSpec {
  method: ActionMethod;
  /** Only the account that sent the message (edit, unsend). */
  senderOnly?: boolean;
  /** The imsg key naming the message (default `message_guid`). */
  messageKey?: string;
  /** imsg params besides the chat, the message and the part. */
  extra: Record<string, unknown>;
  /** What was asked besides the message (the idempotency key's conflict check). */
  request: unknown[];
  gate?: { emoji?: boolean };
}

/**
 * Actions on a stored message (design.md "Capabilities and actions"): each goes through an account
 * that holds the message — edit and unsend only through the account that sent it — within the
 * token's accounts, gated on what that account's imsg can do now, and through the durable outbox
 * under an idempotency key, so a retried action never applies twice.
 */
export class MessageActions {
  readonly #deps: ActionDeps;

  constructor(deps: ActionDeps) {
    this.#deps = deps;
  }

  react(p: ReactParams, client: TokenRecord): Promise<SendOutcome> {
    const extra = { ...(p.emoji !== undefined ? { emoji: p.emoji } : { reaction: p.kind }), ...(p.remove ? { remove: true } : {}) };
    return this.#act(p, client, {
      method: 'tapback',
      extra,
      request: [p.kind ?? null, p.emoji ?? null, p.remove ?? false],
      gate: { emoji: p.emoji !== undefined },
    });
  }

  edit(p: EditParams, client: TokenRecord): Promise<SendOutcome> {
    return this.#act(p, client, { method: 'message.edit', senderOnly: true, extra: { text: p.text }, request: [p.text] });
  }

  unsend(p: UnsendParams, client: TokenRecord): Promise<SendOutcome> {
    return this.#act(p, client, { method: 'message.unsend', senderOnly: true, extra: {}, request: [] });
  }

  /** A vote (or its withdrawal) in a poll, through an account that holds the poll. */
  vote(p: PollVoteParams, client: TokenRecord, unvote = false): Promise<SendOutcome> {
    const option =
      p.option_id !== undefined ? { option_id: p.option_id } : p.option_index !== undefined ? { option_index: p.option_index } : { option: p.option };
    return this.#act({ ...p, part_index: undefined }, client, {
      method: unvote ? 'poll.unvote' : 'poll.vote',
      messageKey: 'poll_guid',
      extra: option,
      request: [option],
    });
  }

  #act(p: Target, client: TokenRecord, spec: MessageActionSpec): Promise<SendOutcome> {
    const { store, model, registry, outbox, defaultAccount } = this.#deps;
    const request = [spec.method, p.message_id ?? null, p.guid ?? null, p.account ?? null, p.part_index ?? 0, ...spec.request];
    return outbox.submit(request, client, { key: p.idempotency_key, waitMs: p.wait_ms }, async () => {
      const guid = await messageGuid(store, p, client);
      const copies = await visibleCopies(store, guid, p, client);
      const copy = chooseCopy(copies, { account: p.account, senderOnly: spec.senderOnly, preferred: [defaultAccount] });
      gateAction(copy.account, spec.method, registry.health(copy.account)?.imsg, spec.gate);
      const chat = model.chatRecord(copy.chatId);
      return {
        account: copy.account,
        method: spec.method,
        target: `message:${guid}`,
        route: p.account ? 'explicit' : spec.senderOnly ? 'sender' : 'holder',
        chatId: copy.chatId,
        params: {
          ...(chat ? chatSelector(chat) : {}),
          [spec.messageKey ?? 'message_guid']: guid,
          ...(p.part_index !== undefined ? { part_index: p.part_index } : {}),
          ...spec.extra,
        },
      };
    });
  }
}
