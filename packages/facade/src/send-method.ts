import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HubClient } from '@imsg-hub/hub-client';
import type { SendOutcome, SendRequest } from '@imsg-hub/hub-protocol';
import { imsgError, type Params } from '@imsg-hub/imsg-protocol';
import { RpcError } from '@imsg-hub/jsonrpc';
import type { FacadeContext } from './facade-context.js';
import { FacadeError, isLinkFailure, toImsgRpcError } from './facade-errors.js';
import type { Deadline } from './request-clock.js';
import { planSend } from './send-plan.js';

/** Time kept back from the budget for answering after the hub does. */
const ANSWER_MARGIN_MS = 1500;
/** The longest a hub `send` call waits for the outcome (its `wait_ms` bound). */
const HUB_MAX_WAIT_MS = 120_000;
/** How long to look for the hub message of the sent row (its echo) once imsg reported the send. */
const ECHO_WAIT_MS = 1500;

/**
 * `send` through the hub: validated as imsg does, routed by the hub (per-account mode names the
 * account), sent exactly once under a fresh idempotency key, and answered within the budget:
 * `{ok, transport, id: <hub message id>, guid}` once sent, imsg's own error verbatim if it failed,
 * or `{ok:true, queued:true}` while the owning agent is offline (the hub sends it when it is back).
 */
export async function send(ctx: FacadeContext, params: Params, deadline: Deadline): Promise<unknown> {
  const plan = planSend(params);
  const client = await ctx.link.client(deadline);
  const file = plan.file ? await upload(ctx, client, plan.file, deadline) : undefined;
  const request: SendRequest = {
    target: plan.target,
    ...(plan.text !== '' ? { text: plan.text } : {}),
    ...(file ? { file } : {}),
    ...ctx.view.scope(),
    ...(plan.region ? { region: plan.region } : {}),
    idempotency_key: `imsg-hub-rpc-${randomUUID()}`,
  };
  try {
    const outcome = await submit(ctx, client, request, deadline);
    return await answer(ctx, client, outcome, deadline);
  } catch (err) {
    if (err instanceof MaybeSubmitted) {
      ctx.log.warn({ key: err.message }, 'send not confirmed in time; answering queued (the hub has it under its key and sends it once)');
      return { ok: true, queued: true };
    }
    throw toImsgRpcError(err, { chatId: plan.chatId });
  }
}

async function upload(ctx: FacadeContext, client: HubClient, path: string, deadline: Deadline): Promise<{ sha256: string; name: string }> {
  const info = await stat(path).catch(() => undefined);
  // imsg's own words when AppleScript cannot find the file (reference §4).
  if (!info?.isFile()) throw imsgError.internal(`AppleScript failed: Attachment not found at ${path}`);
  const limit = ctx.link.maxFileBytes ?? Infinity;
  if (info.size > limit) {
    throw imsgError.invalidParams(
      `imsg-hub: ${path} is ${info.size} bytes; the hub accepts files up to ${limit} bytes (its send.max_file_bytes) [PAYLOAD_TOO_LARGE]`,
    );
  }
  const bytes = await readFile(path);
  const name = basename(path);
  const { sha256 } = await deadline.race(client.upload(bytes, name), 'uploading the file');
  return { sha256, name };
}

/** The hub may have the send: it was asked and did not refuse. Answering then must not invite a retry. */
class MaybeSubmitted extends Error {}

/**
 * Sends and waits for the outcome, leaving time to answer. If the link drops mid-call the hub may
 * or may not have the send; the same idempotency key makes asking again safe (never a second send).
 * Once the hub may have it, running out of time answers `queued` rather than an error: an error
 * would make the client retry with a new request, and the message would go out twice.
 */
async function submit(ctx: FacadeContext, client: HubClient, request: SendRequest, deadline: Deadline): Promise<SendOutcome> {
  let asked = false;
  for (;;) {
    const waitMs = Math.max(0, Math.min(ctx.options.sendWaitMs, deadline.remaining() - ANSWER_MARGIN_MS, HUB_MAX_WAIT_MS));
    try {
      const call = client.call('send', { ...request, wait_ms: waitMs }, waitMs + ANSWER_MARGIN_MS);
      asked = true;
      return await deadline.race(call, 'sending');
    } catch (err) {
      if (err instanceof FacadeError && err.code === 'DEADLINE') {
        if (asked) throw new MaybeSubmitted(request.idempotency_key);
        throw new FacadeError('DEADLINE', `no time left to hand the send to the hub; it was not sent (idempotency key ${request.idempotency_key})`);
      }
      if (!isLinkFailure(err)) throw err;
      ctx.log.warn({ key: request.idempotency_key }, 'hub link dropped during a send; asking again with the same key');
      try {
        await ctx.link.client(deadline);
      } catch (linkErr) {
        if (asked) throw new MaybeSubmitted(request.idempotency_key);
        throw linkErr;
      }
    }
  }
}

async function answer(ctx: FacadeContext, client: HubClient, outcome: SendOutcome, deadline: Deadline): Promise<unknown> {
  switch (outcome.state) {
    case 'sent': {
      const messageId = outcome.message_id ?? (outcome.result?.guid ? await echoOf(client, outcome.idempotency_key, deadline) : undefined);
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
      ctx.log.warn(
        {
          key: outcome.idempotency_key,
          account: outcome.account,
          state: outcome.state,
        },
        'send not confirmed yet; answering queued (the hub sends it once the agent can)',
      );
      return { ok: true, queued: true };
  }
}

/** The hub message id of the row imsg wrote for this send, once the agent has forwarded it. */
async function echoOf(client: HubClient, key: string, deadline: Deadline): Promise<number | undefined> {
  const until = Date.now() + Math.min(ECHO_WAIT_MS, deadline.remaining() - 300);
  while (Date.now() < until) {
    await sleep(40);
    const s = await client.call('send.status', { idempotency_key: key }, 1000).catch(() => undefined);
    if (s?.message_id !== undefined) return s.message_id;
  }
  return undefined;
}
