import type { ImsgClient, ImsgMessage } from '@imsg-hub/imsg-protocol';

/** The newest message a probe found: recent chats, then their newest messages. */
export type ProbeResult = Pick<ImsgMessage, 'id' | 'guid' | 'chat_id' | 'created_at'> | undefined;

const CHATS = 3;
const MESSAGES = 10;

/**
 * Asks imsg for its newest row (reference/imsg-protocol.md §1.6: the cheap liveness probe).
 * imsg orders by date, and rows written in the same millisecond (or chats active in the same one)
 * tie, so the probe looks at a few of each and keeps the highest rowid.
 */
export async function probeNewest(client: ImsgClient, timeoutMs: number): Promise<ProbeResult> {
  const deadline = Date.now() + timeoutMs;
  const { chats } = await client.chatsList(CHATS, timeoutMs);
  let newest: ImsgMessage | undefined;
  for (const chat of chats) {
    const { messages } = await client.history({ chat_id: chat.id, limit: MESSAGES }, Math.max(1, deadline - Date.now()));
    for (const m of messages) if (!newest || m.id > newest.id) newest = m;
  }
  return newest ? { id: newest.id, guid: newest.guid, chat_id: newest.chat_id, created_at: newest.created_at } : undefined;
}
