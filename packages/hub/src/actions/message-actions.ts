import type { ActionMethod, EditParams, ReactParams, SendOutcome, UnsendParams } from '@imsg-hub/hub-protocol';
import { HubError } from '@imsg-hub/hub-protocol';
import type { CopyRecord, Store, TokenRecord } from '@imsg-hub/store';
import type { AgentRegistry } from '../agent-registry.js';
import type { MessageModel } from '../model/message-model.js';
import type { Outbox } from '../outbox.js';
import { tokenAllows } from '../token-auth.js';
import { gateAction } from './action-gate.js';

export interface MessageActionDeps {
  store: Store;
  model: MessageModel;
  registry: AgentRegistry;
  outbox: Outbox;
  defaultAccount: string | undefined;
}

interface Target {
  message_id?: number | undefined;
  guid?: string | undefined;
  account?: string | undefined;
  part_index?: number | undefined;
  idempotency_key?: string | undefined;
  wait_ms?: number | undefined;
}

/**
 * Actions on a stored message (design.md "Capabilities and actions"): each goes through an account
 * that holds the message — edit and unsend only through the account that sent it — within the
 * token's accounts, gated on what that account's imsg can do now, and through the durable outbox
 * under an idempotency key, so a retried action never applies twice.
 */
export class MessageActions {
  readonly #deps: MessageActionDeps;

  constructor(deps: MessageActionDeps) {
    this.#deps = deps;
  }

  react(p: ReactParams, client: TokenRecord): Promise<SendOutcome> {
    const extra = { ...(p.emoji !== undefined ? { emoji: p.emoji } : { reaction: p.kind }), ...(p.remove ? { remove: true } : {}) };
    return this.#act('tapback', p, client, false, extra, [p.kind ?? null, p.emoji ?? null, p.remove ?? false], { emoji: p.emoji !== undefined });
  }

  edit(p: EditParams, client: TokenRecord): Promise<SendOutcome> {
    return this.#act('message.edit', p, client, true, { text: p.text }, [p.text]);
  }

  unsend(p: UnsendParams, client: TokenRecord): Promise<SendOutcome> {
    return this.#act('message.unsend', p, client, true, {}, []);
  }

  async #act(
    method: ActionMethod,
    p: Target,
    client: TokenRecord,
    senderOnly: boolean,
    extra: Record<string, unknown>,
    request: unknown[],
    gate: { emoji?: boolean } = {},
  ): Promise<SendOutcome> {
    const guid = await this.#guid(p, client);
    const copies = (await this.#deps.store.copies([guid])).filter((c) => tokenAllows(client, c.account));
    if (copies.length === 0) throw new HubError('NOT_FOUND', `no message ${p.message_id ?? guid} among the accounts this token sees`);
    const copy = this.#choose(copies, p.account, senderOnly);
    gateAction(copy.account, method, this.#deps.registry.health(copy.account)?.imsg, gate);
    const chat = this.#deps.model.chatRecord(copy.chatId);
    const chatSelector = !chat ? {} : chat.guid.startsWith('identifier:') ? { chat_identifier: chat.identifier } : { chat_guid: chat.guid };
    const params = { ...chatSelector, message_guid: guid, ...(p.part_index !== undefined ? { part_index: p.part_index } : {}), ...extra };
    return this.#deps.outbox.act(
      {
        account: copy.account,
        method,
        target: `message:${guid}`,
        route: p.account ? 'explicit' : senderOnly ? 'sender' : 'holder',
        chatId: copy.chatId,
        params,
      },
      [guid, copy.account, p.part_index ?? 0, ...request],
      client,
      { key: p.idempotency_key, waitMs: p.wait_ms },
    );
  }

  /** The message's guid, from its guid or its hub id. */
  async #guid(p: Target, client: TokenRecord): Promise<string> {
    if (p.guid !== undefined) return p.guid;
    const [record] = await this.#deps.store.messages({ afterSeq: p.message_id! - 1, beforeSeq: p.message_id! + 1, order: 'asc', limit: 1 });
    if (!record || !tokenAllows(client, record.account)) throw new HubError('NOT_FOUND', `no message ${p.message_id} among the accounts this token sees`);
    if (!record.guid) throw new HubError('INVALID_PARAMS', `message ${p.message_id} has no guid in imsg, so no action can name it`);
    return record.guid;
  }

  /** The copy to act through: the sender's for edit/unsend; else the named account, the default, or the first. */
  #choose(copies: CopyRecord[], account: string | undefined, senderOnly: boolean): CopyRecord {
    const holders = copies.map((c) => c.account).join(', ');
    if (senderOnly) {
      const sender = copies.find((c) => c.isFromMe);
      if (!sender) throw new HubError('NO_ROUTE', `none of your accounts sent this message (it is held by ${holders}); only its sender can change it`);
      if (account && account !== sender.account) {
        throw new HubError('NO_ROUTE', `only ${sender.account}, which sent this message, can change it (not ${account})`, { candidates: [sender.account] });
      }
      return sender;
    }
    if (account) {
      const named = copies.find((c) => c.account === account);
      if (!named)
        throw new HubError('NO_ROUTE', `account ${account} does not hold this message; it is held by ${holders}`, { candidates: copies.map((c) => c.account) });
      return named;
    }
    return copies.find((c) => c.account === this.#deps.defaultAccount) ?? copies.find((c) => c.isFromMe) ?? copies[0]!;
  }
}
