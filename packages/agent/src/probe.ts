import type { ImsgClient, ImsgMessage } from '@imsg-hub/imsg-protocol';

/** The newest message a probe found: `chats.list {limit:1}`, then that chat's newest message. */
export type ProbeResult = Pick<ImsgMessage, 'id' | 'guid' | 'chat_id' | 'created_at'> | undefined;

/** Asks imsg for its newest row (reference/imsg-protocol.md §1.6: the cheap liveness probe). */
export async function probeNewest(client: ImsgClient, timeoutMs: number): Promise<ProbeResult> {
  const deadline = Date.now() + timeoutMs;
  const { chats } = await client.chatsList(1, timeoutMs);
  const chat = chats[0];
  if (!chat) return undefined;
  const { messages } = await client.history({ chat_id: chat.id, limit: 1 }, Math.max(1, deadline - Date.now()));
  const m = messages[0];
  return m ? { id: m.id, guid: m.guid, chat_id: m.chat_id, created_at: m.created_at } : undefined;
}
