import type { HubClient } from '@imsg-hub/hub-client';
import type { HubChat } from '@imsg-hub/hub-protocol';
import type { FacadeContext } from './facade-context.js';
import type { Deadline } from './request-clock.js';

/** The most chats one listing fetches (the hub's bound). */
const ALL = 10_000;

/**
 * Every chat of the accounts in view, each account's own (not merged into conversations): to find
 * a chat by hub id or chat guid and the account(s) that hold it.
 */
export async function listChats(ctx: FacadeContext, client: HubClient, deadline: Deadline): Promise<HubChat[]> {
  const { chats } = await deadline.race(client.call('chats.list', { limit: ALL, merged: false, ...ctx.view.scope() }), 'listing chats');
  return chats;
}

/** The chat with this hub id among the accounts in view. */
export async function chatById(ctx: FacadeContext, client: HubClient, chatId: number, deadline: Deadline): Promise<HubChat | undefined> {
  return (await listChats(ctx, client, deadline)).find((c) => c.id === chatId);
}

/**
 * The one account that holds a chat, when that is certain: a chat two of our accounts share (a
 * linked group, or the same chat guid in both chat.dbs) is left to the hub, which acts through an
 * account that holds the message.
 */
export async function accountOfChat(
  ctx: FacadeContext,
  client: HubClient,
  chat: { chatId?: number | undefined; chatGuid?: string | undefined; chatIdentifier?: string | undefined },
  deadline: Deadline,
): Promise<{ found: boolean; account: string | undefined }> {
  if (ctx.view.account) return { found: true, account: ctx.view.account };
  const chats = await listChats(ctx, client, deadline);
  const matching = chats.filter((c) =>
    chat.chatId !== undefined ? c.id === chat.chatId : chat.chatGuid ? c.guid === chat.chatGuid : c.identifier === chat.chatIdentifier,
  );
  const accounts = new Set(matching.flatMap((c) => c.accounts));
  return { found: matching.length > 0, account: accounts.size === 1 ? [...accounts][0] : undefined };
}
