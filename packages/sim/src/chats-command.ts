import { ChatDbReader } from './chat-db-reader.js';

/** `imsg chats` output (§7): one ChatPayload JSON per line, or `[id] name (identifier) last=<iso>`. */
export function chatCliLines(dbPath: string, limit: number, json: boolean): string[] {
  const reader = new ChatDbReader(dbPath);
  try {
    return reader.listChats(Math.max(limit, 1)).map((chat) => {
      if (!json) return `[${chat['id']}] ${chat['name']} (${chat['identifier']}) last=${chat['last_message_at']}`;
      const extra = reader.chatCliFields(chat['id'] as number);
      const out: Record<string, unknown> = {
        id: chat['id'],
        name: chat['name'],
        identifier: chat['identifier'],
        service: chat['service'],
        last_message_at: chat['last_message_at'],
      };
      if (chat['guid'] !== '') out['guid'] = chat['guid'];
      if (extra['display_name']) out['display_name'] = extra['display_name'];
      out['is_group'] = chat['is_group'];
      out['participants'] = chat['participants'];
      for (const key of ['account_id', 'account_login', 'last_addressed_handle']) {
        if (extra[key]) out[key] = extra[key];
      }
      return JSON.stringify(out);
    });
  } finally {
    reader.close();
  }
}
