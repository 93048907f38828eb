import type { AccountHealth, HubChat, HubMessage, SendOutcome, TypingNotification } from '@imsg-hub/hub-protocol';

/** Colour only for a terminal, and never with NO_COLOR (https://no-color.org). */
const useColor = process.stdout.isTTY === true && !process.env['NO_COLOR'];
const paint = (code: number, s: string) => (useColor ? `\u001b[${code}m${s}\u001b[0m` : s);
const ACCOUNT_COLORS = [36, 35, 33, 32, 34, 31];
const colorOf = (account: string) => ACCOUNT_COLORS[[...account].reduce((n, c) => n + c.charCodeAt(0), 0) % ACCOUNT_COLORS.length]!;

/**
 * `[alice] 15:24:36 #7 chat_id:12 +1415…: hello` — one line per message, tagged by account(s).
 * `textOf` (optional) finds the text of a message by guid, to show what a tapback points at.
 */
export function formatMessage(m: HubMessage, textOf?: (guid: string) => string | undefined): string {
  const time = m.created_at.slice(11, 19);
  const who = m.is_from_me ? `me(${m.destination_caller_id ?? m.account})` : m.sender || '?';
  const tags = m.accounts.length > 1 ? m.accounts.join('+') : m.account;
  const where = m.is_group ? `${m.chat_name || m.chat_identifier} ` : '';
  // U+FFFC marks where an attachment sits in Messages' text.
  let body = m.text.replace(/\uFFFC/g, '').trim();
  if (m.is_reaction) {
    const target = m.reacted_to_guid ? textOf?.(m.reacted_to_guid) : undefined;
    body = `${m.is_reaction_add ? 'reacted' : 'removed'} ${m.reaction_emoji ?? m.reaction_type ?? ''} to ${
      target
        ? `“${target
            .replace(/\uFFFC/g, '')
            .trim()
            .slice(0, 40)}”`
        : (m.reacted_to_guid ?? '?')
    }`;
  }
  if (m.reply_to_text) body = `↪ "${m.reply_to_text.slice(0, 40)}" ${body}`;
  const files = m.attachments
    .map((a) => ` [📎 ${a.transfer_name || a.filename}${a.blob_state && a.blob_state !== 'stored' ? ` (${a.blob_state})` : ''}]`)
    .join('');
  const replay = m.replay ? paint(2, ' (replay)') : '';
  return `${paint(colorOf(m.account), `[${tags}]`)} ${paint(2, time)} ${paint(2, `#${m.id} chat_id:${m.chat_id}`)} ${where}${paint(1, who)}: ${body}${files}${replay}`;
}

export function formatChat(c: HubChat): string {
  const accounts = c.accounts.length > 1 ? c.accounts.join('+') : c.account;
  const name = c.name || c.identifier;
  const unread = c.unread_count ? `  ${paint(1, `${c.unread_count} unread`)}` : '';
  return `${c.ref.padEnd(22)} ${paint(colorOf(c.account), accounts.padEnd(14))} ${c.is_group ? 'group' : 'dm   '} ${name}  ${paint(2, c.last_message_at)}${unread}`;
}

export function formatAccount(a: AccountHealth): string {
  const agent = a.agent.connected ? paint(32, 'connected') : paint(31, 'offline');
  const lag = a.lag === undefined ? '' : ` lag=${a.lag}`;
  // Sends in doubt wait for `imsg-hub send --resolve`: shown in red, never hidden.
  const doubt = a.outbox.in_doubt > 0 ? paint(31, `/${a.outbox.in_doubt} in doubt`) : '';
  return `${a.name.padEnd(12)} agent=${agent} imsg=${a.imsg.state}${a.imsg.detail ? ` (${a.imsg.detail})` : ''} messages=${a.messages} cursor=${a.cursor.epoch}:${a.cursor.hwm}${lag} outbox=${a.outbox.queued}q/${a.outbox.dispatched}d${doubt} last=${a.last_row_at ?? '-'}`;
}

export function formatSend(o: SendOutcome): string {
  const id = o.result?.guid ? ` guid=${o.result.guid}` : '';
  const msg = o.message_id ? ` message=#${o.message_id}` : '';
  const err = o.error
    ? ` error: ${o.error.message}${o.error.data !== undefined ? ` (${typeof o.error.data === 'string' ? o.error.data : JSON.stringify(o.error.data)})` : ''}`
    : '';
  const next =
    o.state === 'in_doubt'
      ? `\n  it may or may not have been sent: look at the chat, then run imsg-hub send --resolve ${o.idempotency_key} sent (it arrived) or resend (it did not)`
      : '';
  return `${o.state} via ${o.account} (${o.route}) key=${o.idempotency_key}${id}${msg}${err}${next}`;
}

/** One typing indicator as `imsg-hub tail --typing` prints it. */
export function formatTyping(t: TypingNotification): string {
  const chat = t.chat_id !== undefined ? `${t.account}:chat_id:${t.chat_id}` : `${t.account} ${t.chat_guid}`;
  return `${t.typing ? 'typing' : 'stopped typing'} in ${chat}`;
}
