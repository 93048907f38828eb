import { randomUUID } from 'node:crypto';
import type { HubClient } from '@imsg-hub/hub-client';
import type { SendOutcome, SendRequest } from '@imsg-hub/hub-protocol';
import { imsgError, type Params } from '@imsg-hub/imsg-protocol';
import { RpcError } from '@imsg-hub/jsonrpc';
import type { FacadeContext } from './facade-context.js';
import { toImsgRpcError } from './facade-errors.js';
import { echoOf, MaybeSubmitted, submitToHub, uploadFile } from './hub-submit.js';
import type { Deadline } from './request-clock.js';
import { planSend } from './send-plan.js';

/**
 * `send` of the facade playing imsg 0.9.0: validated as that imsg does, routed by the hub
 * (per-account mode names the account), sent exactly once under a fresh idempotency key, and
 * answered within the budget: `{ok, transport, id: <hub message id>, guid}` once sent, imsg's own
 * error verbatim if it failed, or `{ok:true, queued:true}` while the outcome is not known (0.9 has
 * no way to say "unknown"; the hub sends it at most once).
 */
export async function send(ctx: FacadeContext, params: Params, deadline: Deadline): Promise<unknown> {
  const plan = planSend(params);
  const client = await ctx.link.client(deadline);
  const file = plan.file ? await uploadFile(ctx, client, plan.file, deadline) : undefined;
  const request: SendRequest = {
    target: plan.target,
    ...(plan.text !== '' ? { text: plan.text } : {}),
    ...(file ? { file } : {}),
    ...ctx.view.scope(),
    ...(plan.region ? { region: plan.region } : {}),
    idempotency_key: `imsg-hub-rpc-${randomUUID()}`,
  };
  try {
    const outcome = await submitToHub(ctx, request.idempotency_key!, deadline, (c, waitMs) => c.call('send', { ...request, wait_ms: waitMs }, waitMs + 1500));
    return await answer(ctx, client, outcome, deadline);
  } catch (err) {
    if (err instanceof MaybeSubmitted) {
      ctx.log.warn({ key: err.key }, 'send not confirmed in time; answering queued (the hub has it under its key and sends it once)');
      return { ok: true, queued: true };
    }
    throw toImsgRpcError(err, { chatId: plan.chatId });
  }
}

async function answer(ctx: FacadeContext, client: HubClient, outcome: SendOutcome, deadline: Deadline): Promise<unknown> {
  switch (outcome.state) {
    case 'sent': {
      const messageId = await echoOf(client, outcome, deadline);
      return {
        ok: true,
        transport: outcome.result?.transport ?? 'applescript',
        ...(messageId !== undefined ? { id: messageId } : {}),
        ...(outcome.result?.guid ? { guid: outcome.result.guid } : {}),
      };
    }
    case 'failed':
    case 'expired': {
      const e = outcome.error;
      // imsg's own failure, passed on verbatim by the agent and the hub.
      if (e && typeof e.data === 'string') throw new RpcError(e.code, e.message, e.data);
      const why = outcome.state === 'expired' ? `the agent for ${outcome.account} stayed offline past the queue TTL` : (e?.message ?? 'the send failed');
      throw imsgError.internal(`imsg-hub: ${why} [${outcome.state === 'expired' ? 'SEND_EXPIRED' : 'SEND_FAILED'}]`);
    }
    case 'queued':
    case 'dispatched':
    case 'in_doubt':
      ctx.log.warn(
        { key: outcome.idempotency_key, account: outcome.account, state: outcome.state },
        'send not confirmed yet; answering queued (the hub sends it once the agent can)',
      );
      return { ok: true, queued: true };
  }
}
