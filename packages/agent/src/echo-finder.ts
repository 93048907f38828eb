import { setTimeout as sleep } from 'node:timers/promises';
import type { ImsgClient, ImsgMessage, SendParams } from '@imsg-hub/imsg-protocol';

export interface EchoQuery {
  params: SendParams;
  /** The file name the send carried, when it had one (matched against `transfer_name`). */
  fileName?: string;
  /** ms since epoch when the key was handed to imsg. */
  passedAt: number;
  /** Rowids other ledger keys already matched. */
  claimed: ReadonlySet<number>;
}

const CHATS_SCANNED = 25;
const SLACK_MS = 2000;

/**
 * Looks for the outgoing row a send in doubt would have written (the same test imsg itself uses to
 * verify a send, reference/imsg-protocol.md §5.4): `is_from_me`, exact text, date ≥ passedAt − 2 s,
 * in the target chat, or for a handle target in the most recently active chats. Polls for up to
 * `waitMs` because Messages may still be writing the row after imsg died.
 */
export async function findEcho(
  client: ImsgClient,
  q: EchoQuery,
  options: { waitMs: number; pollMs?: number; timeoutMs: number },
): Promise<ImsgMessage | undefined> {
  const text = q.params.text ?? '';
  if (!text && !q.fileName) return undefined;
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    const found = await scanOnce(client, q, text, options.timeoutMs);
    if (found || Date.now() >= deadline) return found;
    await sleep(options.pollMs ?? 500);
  }
}

async function scanOnce(client: ImsgClient, q: EchoQuery, text: string, timeoutMs: number): Promise<ImsgMessage | undefined> {
  const start = new Date(q.passedAt - SLACK_MS).toISOString();
  let best: ImsgMessage | undefined;
  for (const chatId of await candidateChats(client, q.params, timeoutMs)) {
    const { messages } = await client.history({ chat_id: chatId, limit: 50, start, attachments: q.fileName !== undefined }, timeoutMs);
    for (const m of messages) {
      if (!matches(m, q, text)) continue;
      if (!best || m.id < best.id) best = m;
    }
  }
  return best;
}

function matches(m: ImsgMessage, q: EchoQuery, text: string): boolean {
  if (!m.is_from_me || q.claimed.has(m.id)) return false;
  if (Date.parse(m.created_at) < q.passedAt - SLACK_MS) return false;
  if (text) return m.text === text;
  return m.attachments.some((a) => a.transfer_name === q.fileName);
}

async function candidateChats(client: ImsgClient, p: SendParams, timeoutMs: number): Promise<number[]> {
  if (p.chat_id !== undefined) return [p.chat_id];
  const { chats } = await client.chatsList(CHATS_SCANNED, timeoutMs);
  const named = chats.filter((c) => (p.chat_guid && c.guid === p.chat_guid) || (p.chat_identifier && c.identifier === p.chat_identifier));
  // A handle target (or a chat imsg sent to as a handle): its chat is among the most recently
  // active once the send happened.
  return (named.length > 0 ? named : chats).map((c) => c.id);
}
