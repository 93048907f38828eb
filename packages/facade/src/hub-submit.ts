import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { HubClient } from '@imsg-hub/hub-client';
import type { SendOutcome } from '@imsg-hub/hub-protocol';
import { imsgError } from '@imsg-hub/imsg-protocol';
import type { FacadeContext } from './facade-context.js';
import { FacadeError, isLinkFailure } from './facade-errors.js';
import type { Deadline } from './request-clock.js';

// Handing a mutation (send, tapback, edit, unsend) to the hub under one idempotency key, within a
// request's budget, without ever causing a second one.

/** Time kept back from the budget for answering after the hub does. */
export const ANSWER_MARGIN_MS = 1500;
/** The longest a hub call waits for an outcome (its `wait_ms` bound). */
const HUB_MAX_WAIT_MS = 120_000;
/** How long to look for the hub message of the sent row (its echo) once imsg reported the send. */
const ECHO_WAIT_MS = 1500;

/**
 * The hub may have the mutation: it was asked and did not answer in time (or the link dropped
 * after asking). Whatever is answered now must not invite a retry under a new key.
 */
export class MaybeSubmitted extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`the hub may hold ${key}; its outcome is not known yet`);
    this.name = 'MaybeSubmitted';
    this.key = key;
  }
}

/** How long a hub call may wait for the outcome, leaving time to answer. */
export function hubWaitMs(ctx: FacadeContext, deadline: Deadline): number {
  return Math.max(0, Math.min(ctx.options.sendWaitMs, deadline.remaining() - ANSWER_MARGIN_MS, HUB_MAX_WAIT_MS));
}

/**
 * Calls `call(waitMs)` (a hub send or action under `key`) and returns its outcome. If the link
 * drops mid-call the hub may or may not have it; asking again with the same key is safe (never a
 * second one). Throws MaybeSubmitted once the hub may have it and time runs out; a failure before
 * anything reached the hub is thrown as it is (nothing was sent).
 */
export async function submitToHub(
  ctx: FacadeContext,
  key: string,
  deadline: Deadline,
  call: (client: HubClient, waitMs: number) => Promise<SendOutcome>,
): Promise<SendOutcome> {
  let asked = false;
  let client = await ctx.link.client(deadline);
  for (;;) {
    const waitMs = hubWaitMs(ctx, deadline);
    try {
      const pending = call(client, waitMs);
      asked = true;
      return await deadline.race(pending, 'waiting for the outcome');
    } catch (err) {
      if (err instanceof FacadeError && err.code === 'DEADLINE') {
        if (asked) throw new MaybeSubmitted(key);
        throw new FacadeError('DEADLINE', `no time left to hand this to the hub; nothing was sent (idempotency key ${key})`);
      }
      if (!isLinkFailure(err)) throw err;
      ctx.log.warn({ key }, 'hub link dropped during a mutation; asking again with the same key');
      try {
        client = await ctx.link.client(deadline);
      } catch (linkErr) {
        if (asked) throw new MaybeSubmitted(key);
        throw linkErr;
      }
    }
  }
}

/** Reads a local file and uploads it to the hub (outbound attachments). */
export async function uploadFile(ctx: FacadeContext, client: HubClient, path: string, deadline: Deadline): Promise<{ sha256: string; name: string }> {
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

/** The hub message id of the row imsg wrote for this send, once the agent has forwarded it. */
export async function echoOf(client: HubClient, outcome: SendOutcome, deadline: Deadline): Promise<number | undefined> {
  if (outcome.message_id !== undefined) return outcome.message_id;
  if (!outcome.result?.guid) return undefined;
  const until = Date.now() + Math.min(ECHO_WAIT_MS, deadline.remaining() - 300);
  while (Date.now() < until) {
    await sleep(40);
    const s = await client.call('send.status', { idempotency_key: outcome.idempotency_key }, 1000).catch(() => undefined);
    if (s?.message_id !== undefined) return s.message_id;
  }
  return undefined;
}
