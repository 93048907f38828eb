import { z } from 'zod';
import { HubClientError } from './errors.js';

/** At most this many hubs in one list (a fleet's hubs, not a crawl). */
export const MAX_HUB_URLS = 16;

/** One hub address: ws:// or wss://, parseable, no credentials (the token goes in hello). */
export const HubUrlSchema = z
  .string()
  .max(2048, 'expected a URL of at most 2048 characters')
  .regex(/^wss?:\/\/\S+$/, 'expected a ws:// or wss:// URL')
  .refine((s) => URL.canParse(s), 'expected a ws:// or wss:// URL')
  .refine((s) => {
    const u = new URL(s);
    return u.username === '' && u.password === '';
  }, 'a hub URL carries no user or password: the token goes in --token or hub.token');

/**
 * Several hubs serving one fleet (one PostgreSQL store): any of them will do, the first is tried
 * first. 1 to 16 URLs, no repeats.
 */
export const HubUrlListSchema = z
  .array(HubUrlSchema)
  .min(1, 'expected at least one hub URL')
  .max(MAX_HUB_URLS, `expected at most ${MAX_HUB_URLS} hub URLs`)
  .superRefine((urls, ctx) => {
    const seen = new Set<string>();
    urls.forEach((u, i) => {
      const key = new URL(u).href;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i], message: `${u} is listed twice` });
      seen.add(key);
    });
  });

/** `ws://a:7311/,ws://b:7311/` (commas or whitespace between) → its URLs; empty parts are dropped. */
export function splitHubUrls(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * A hub URL list from one string (comma-separated), several, or an array: validated, or a
 * HubClientError CONFIG naming the bad entry and what a good one looks like. `where` names the
 * source in the message (`--hub-url`, `IMSG_HUB_URL`).
 */
export function parseHubUrls(input: string | readonly string[], where = 'hub URL'): string[] {
  const list = typeof input === 'string' ? splitHubUrls(input) : input.flatMap(splitHubUrls);
  const parsed = HubUrlListSchema.safeParse(list);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const at = typeof issue.path[0] === 'number' ? ` (got ${JSON.stringify(list[issue.path[0]])})` : '';
  throw new HubClientError(
    'CONFIG',
    `${where}: ${issue.message}${at}; give one hub as ws://host:7311/ or several, comma-separated (ws://a:7311/,ws://b:7311/)`,
  );
}

/** The list as one line for logs and messages: `ws://a/, ws://b/`. */
export function describeHubUrls(urls: readonly string[]): string {
  return urls.join(', ');
}
