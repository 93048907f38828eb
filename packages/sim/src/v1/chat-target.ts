import { imsgError, type StrictParams } from '@imsg-hub/imsg-protocol';
import type { V1Context } from './v1-context.js';

/**
 * resolveChatGUIDParam (RPCServer+ChatHandlers.swift): exactly one selector; `chat_guid` is used as
 * given without the database, `chat_id` needs it (-32002), `chat_identifier` maps to the stored
 * chat's guid when the database is readable and is used raw otherwise.
 */
export function resolveChatGuid(ctx: V1Context, params: StrictParams): string {
  const input = params.chatTarget();
  if (input.chatGuid) return input.chatGuid;
  if (input.chatId !== undefined) {
    const chat = ctx.db.require().chatRow(input.chatId);
    if (!chat) throw imsgError.invalidParams(`unknown chat_id ${input.chatId}`);
    if (chat.guid) return chat.guid;
    if (chat.identifier) return chat.identifier;
    throw imsgError.invalidParams('could not resolve chat GUID for chat target');
  }
  const found = ctx.db.available()?.findChat({ identifier: input.chatIdentifier });
  return found?.guid || found?.identifier || input.chatIdentifier;
}

/** The chat guid as the sender's Messages knows it (a guid, an identifier, or an `any;` twin). */
export function knownChatGuid(ctx: V1Context, guid: string): string | undefined {
  const w = ctx.world.writer(ctx.account);
  const chat = w.chatRecord({ guid }) ?? w.chatRecord({ identifier: guid });
  if (chat) return chat.guid;
  const m = /^(any|iMessage|SMS);([+-]);(.+)$/.exec(guid);
  if (!m) return undefined;
  for (const service of ['iMessage', 'any', 'SMS']) {
    const twin = w.chatRecord({ guid: `${service};${m[2]};${m[3]}` });
    if (twin) return twin.guid;
  }
  return undefined;
}

/** The chat a bridge action names, or the helper's "Chat not found" (after dispatch). */
export function requireKnownChat(ctx: V1Context, guid: string): string {
  const found = knownChatGuid(ctx, guid);
  if (!found) throw new Error(`Chat not found: ${guid}`);
  return found;
}
