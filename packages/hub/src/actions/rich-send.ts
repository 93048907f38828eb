import { type ActionMethod, HubError, isRichSend, type SendOutcome, type SendRequest } from '@imsg-hub/hub-protocol';
import type { ChatRecord, TokenRecord } from '@imsg-hub/store';
import type { Mutation } from '../mutation.js';
import { outboundFile } from '../outbound-file.js';
import { type ActionDeps, chatSelector } from './action-deps.js';
import { gateAction } from './action-gate.js';
import { chooseCopy, messageGuid, visibleCopies } from './message-target.js';

/** Where a rich send goes: the acting account, its chat, and how the account was chosen. */
interface Destination {
  account: string;
  chat: ChatRecord;
  route: string;
  target: string;
}

/** The imsg method for a rich send, and its params besides the chat; refuses combinations imsg has no method for. */
function richPlan(p: SendRequest, replyGuid: string | undefined): { method: ActionMethod; params: Record<string, unknown> } {
  const reply = replyGuid ? { reply_to: replyGuid, ...(p.reply_to?.part_index !== undefined ? { part_index: p.reply_to.part_index } : {}) } : {};
  const dressing = { ...(p.effect ? { effect: p.effect } : {}), ...(p.subject ? { subject: p.subject } : {}) };
  if (p.parts) {
    if (p.text !== undefined || p.file || p.reply_to || p.audio) {
      throw new HubError(
        'INVALID_PARAMS',
        'parts stand instead of text: a multipart send takes no text, file, reply_to or audio (effect and subject are fine)',
      );
    }
    return { method: 'send.multipart', params: { parts: p.parts.map((x) => ({ text: x.text })), ...dressing } };
  }
  if (p.audio) {
    if (!p.file) throw new HubError('INVALID_PARAMS', 'audio needs a file: upload the recording and name it in file');
    if (p.text || p.effect || p.subject) throw new HubError('INVALID_PARAMS', 'a voice message takes no text, effect or subject; send those separately');
    return { method: 'send.attachment', params: { audio: true, ...reply } };
  }
  if (!p.text && !p.file) throw new HubError('INVALID_PARAMS', 'text or file is required');
  return { method: 'send.rich', params: { ...(p.text ? { text: p.text } : {}), ...reply, ...dressing } };
}

/**
 * `send` with a reply, an effect, a subject, several parts or a voice message: imsg 0.15's bridge
 * send methods (`send.rich`, `send.multipart`, `send.attachment`), which need an existing chat. A
 * reply goes through an account that holds the message replied to (the named one, the target's
 * route if it holds it, the default, the sender); the rest go where a plain send would. Gated on
 * what that account's imsg can do now; durable and exactly once like every send. Plain sends go
 * straight to the outbox.
 */
export class RichSends {
  readonly #deps: ActionDeps;

  constructor(deps: ActionDeps) {
    this.#deps = deps;
  }

  send(p: SendRequest, client: TokenRecord): Promise<SendOutcome> {
    if (!isRichSend(p)) return this.#deps.outbox.send(p, client);
    const request: unknown[] = ['send.rich', p.target ?? null, p.account ?? null, p.text ?? null, p.file ?? null, p.reply_to ?? null];
    request.push(p.effect ?? null, p.subject ?? null, p.parts ?? null, p.audio ?? false, p.service ?? null, p.region ?? null);
    return this.#deps.outbox.submit(request, client, { key: p.idempotency_key, waitMs: p.wait_ms, waitFor: p.wait_for }, () => this.#prepare(p, client));
  }

  async #prepare(p: SendRequest, client: TokenRecord): Promise<Mutation> {
    const { store, blobs, registry } = this.#deps;
    const replyGuid = p.reply_to ? await messageGuid(store, p.reply_to, client) : undefined;
    const { method, params } = richPlan(p, replyGuid);
    const to = replyGuid ? await this.#replyDestination(p, replyGuid, client) : this.#destination(p, client, method);
    gateAction(to.account, method, registry.health(to.account)?.imsg);
    const file = p.file ? await outboundFile(store, blobs, client, p.file) : undefined;
    return {
      account: to.account,
      method,
      target: to.target,
      route: to.route,
      chatId: to.chat.id,
      params: { ...chatSelector(to.chat), ...params },
      file,
      ttlS: p.queue_ttl_s,
    };
  }

  /** A reply: the chat of the copy held by the account that acts. */
  async #replyDestination(p: SendRequest, guid: string, client: TokenRecord): Promise<Destination> {
    const { store, router, model, defaultAccount } = this.#deps;
    const copies = await visibleCopies(store, guid, p.reply_to!, client);
    const routed = p.target !== undefined ? router.resolve({ target: p.target, account: p.account, service: p.service, region: p.region, client }) : undefined;
    const copy = chooseCopy(copies, { account: p.account ?? routed?.account, preferred: [defaultAccount] });
    const chat = model.chatRecord(copy.chatId);
    if (!chat) throw new HubError('NOT_FOUND', `the chat of message ${guid} is not known to the hub`);
    const inTarget =
      routed === undefined ||
      (routed.chatId !== undefined ? model.conversation(routed.chatId).some((c) => c.id === chat.id) : !chat.isGroup && chat.identifier === routed.params.to);
    if (!inTarget) {
      throw new HubError('BAD_TARGET', `message ${guid} is not in ${p.target}; leave the target out to reply in the message's own chat`);
    }
    return { account: copy.account, chat, route: p.account ? 'explicit' : 'holder', target: p.target ?? `chat_id:${chat.id}` };
  }

  /** Not a reply: where a plain send to the target would go, which must be an existing chat. */
  #destination(p: SendRequest, client: TokenRecord, method: ActionMethod): Destination {
    const { router, model } = this.#deps;
    const route = router.resolve({ target: p.target!, account: p.account, service: p.service, region: p.region, client });
    const handle = typeof route.params.to === 'string' ? route.params.to : undefined;
    const chat =
      route.chatId !== undefined
        ? model.chatRecord(route.chatId)
        : model
            .findChat({ account: route.account, identifier: handle ?? '' })
            .filter((c) => !c.is_group)
            .map((c) => model.chatRecord(c.id))[0];
    if (!chat) {
      throw new HubError(
        'INVALID_PARAMS',
        `${method} needs an existing chat, and ${route.account} has none with ${handle ?? p.target} yet; send a plain message first, then this`,
      );
    }
    return { account: route.account, chat, route: route.route, target: p.target! };
  }
}
