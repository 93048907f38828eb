import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DEFAULT_MAX_FRAME_BYTES, WebhookEventFilterSchema } from '@imsg-hub/hub-protocol';
import { z } from 'zod';

/** A route rule: sends matching `match` leave through `account` (design.md "Routing"). */
const RouteMatchSchema = z
  .strictObject({
    /** Glob over the normalised handle: `*@work.example`, `+1415*`. */
    handle: z.string().min(1).optional(),
    /** A hub chat id. */
    chat: z.number().int().positive().optional(),
    /** A client token id or label. */
    client: z.string().min(1).optional(),
  })
  .refine((m) => m.handle !== undefined || m.chat !== undefined || m.client !== undefined, {
    message: 'a route rule must match on at least one of handle, chat or client',
  });

export const RouteRuleSchema = z.union([
  z.strictObject({ match: RouteMatchSchema, account: z.string().min(1) }),
  /**
   * Opt-in: a send to a bare handle that matches goes through the first of `accounts` (default:
   * every account the client may use, in name order) whose imsg says it can reach the handle by
   * iMessage (`handles.check`); when none can (or none can tell), the next rules apply.
   */
  z.strictObject({ match: RouteMatchSchema, prefer: z.literal('imessage'), accounts: z.array(z.string().min(1)).min(1).max(64).optional() }),
]);
export type RouteRule = z.infer<typeof RouteRuleSchema>;

export const WebhookSchema = z.strictObject({
  /** Stable name of this webhook (its delivery cursor is kept under it); default derived from the URL. */
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'webhook ids are 1-64 chars of a-z, 0-9, _ and -')
    .optional(),
  url: z.url({ protocol: /^https?$/ }),
  secret: z.string().min(16, 'webhook secrets must be at least 16 characters'),
  accounts: z.array(z.string()).optional(),
  chats: z.array(z.number().int().positive()).optional(),
  /** For a webhook seen for the first time: deliver messages after this hub id (default: from now on). */
  since: z.number().int().nonnegative().optional(),
  /** Event types to POST: `message`, send event types (`send.delivered` …) or `send.*`. */
  events: z.array(WebhookEventFilterSchema).min(1).max(16).default(['message']),
  /** Events per POST. */
  batch: z.number().int().min(1).max(500).default(50),
  timeout_ms: z.number().int().min(100).default(10_000),
  /**
   * Several hubs on one store: one holds the lease on delivering this webhook, renewed before each
   * batch and every half lease; when it dies, another takes over within this long.
   */
  lease_ms: z.number().int().min(1000).max(3_600_000).default(30_000),
});
export type WebhookConfig = z.infer<typeof WebhookSchema>;

const KiB = 1024;
const MiB = 1024 * KiB;

/** Bounds that keep one client, agent or stranger from starving the hub (docs/security.md "Limits"). */
export const LimitsSchema = z
  .strictObject({
    /** Open TCP connections in total (HTTP and WebSocket); more are refused with 503. */
    max_connections: z.number().int().min(1).default(1024),
    /** Open TCP connections from one IP address. */
    max_connections_per_address: z.number().int().min(1).default(256),
    /** WebSocket connections that said hello with one token. */
    max_connections_per_token: z.number().int().min(1).default(64),
    /** A new TCP connection must finish its HTTP request line and headers (or upgrade) within this. */
    header_timeout_ms: z.number().int().min(100).default(10_000),
    /** A WebSocket connection must say a successful hello within this. */
    hello_timeout_ms: z.number().int().min(100).default(10_000),
    /** Bytes a connection may send before its hello succeeds (a hello is a few hundred bytes; `ping` is allowed too). */
    pre_hello_bytes: z
      .number()
      .int()
      .min(1 * KiB)
      .default(16 * KiB),
    /** Objects/arrays nested inside each other in one message. */
    max_json_depth: z.number().int().min(8).max(1000).default(64),
    /**
     * Frames of one connection handled per event-loop turn; the rest wait for the next turn, so a
     * peer pouring in frames (thousands per socket read) cannot hold up everyone else.
     */
    max_frames_per_turn: z.number().int().min(1).default(64),
    /**
     * Bytes of one answer's list (history, messages.after, search, chats, reactions): a page that
     * would pass it ends early with `truncated: true`, and the client asks again from its last item.
     */
    max_answer_bytes: z
      .number()
      .int()
      .min(64 * KiB)
      .default(8 * MiB),
    /** Calls of one connection handled at once; further frames wait unread. */
    max_inflight_requests: z.number().int().min(1).default(8),
    /** Above this much unsent output, a connection's frames are not read until it falls to half. */
    output_high_water_bytes: z
      .number()
      .int()
      .min(16 * KiB)
      .default(1 * MiB),
    /** More unsent output than this closes the connection (4008). */
    output_max_bytes: z
      .number()
      .int()
      .min(64 * KiB)
      .default(64 * MiB),
    /** Output above the high-water mark that does not drain for this long closes the connection (4008). */
    output_stall_ms: z.number().int().min(100).default(60_000),
  })
  .refine((l) => l.output_max_bytes >= l.output_high_water_bytes, {
    message: 'output_max_bytes must be at least output_high_water_bytes',
    path: ['output_max_bytes'],
  });
export type Limits = z.infer<typeof LimitsSchema>;

const GiB = 1024 * MiB;

/** Uploaded files (docs/security.md "Limits"): per-token quotas and collection of unreferenced blobs. */
export const BlobsSchema = z.strictObject({
  /** Bytes of blobs one token uploaded that no stored message references (pending sends and unused uploads). */
  quota_bytes: z.number().int().min(0).default(GiB),
  /** How many such blobs one token may keep. */
  quota_count: z.number().int().min(0).default(10_000),
  /** A blob no message and no queued, dispatched or in-doubt send references is deleted once its last upload is this old. */
  grace_s: z.number().int().min(0).default(86_400),
  /** How often unreferenced blobs are looked for. */
  sweep_interval_ms: z.number().int().min(100).default(3_600_000),
});
export type BlobsConfig = z.infer<typeof BlobsSchema>;

/** The send-event log `send.*` webhooks follow (docs/webhooks.md "Send events"): how long entries stay. */
export const SendEventsSchema = z.strictObject({
  /** Entries older than this are deleted (a webhook failing for longer misses them). */
  retention_s: z
    .number()
    .int()
    .min(1)
    .default(7 * 86_400),
  /** How often old entries are looked for. */
  prune_interval_ms: z.number().int().min(100).default(3_600_000),
});
export type SendEventsConfig = z.infer<typeof SendEventsSchema>;

export const HubConfigSchema = z.strictObject({
  listen: z
    .strictObject({
      host: z.string().default('127.0.0.1'),
      port: z.number().int().min(0).max(65535).default(7311),
    })
    .prefault({}),
  data_dir: z.string().min(1).default('./imsg-hub-data'),
  tls: z.strictObject({ cert: z.string(), key: z.string() }).optional(),
  durability: z.enum(['full', 'normal']).default('full'),
  /**
   * Where the hub keeps its state: `sqlite` (hub.db in data_dir, the embedded default) or `postgres`
   * (a `postgres://` URL; env IMSG_HUB_STORE_URL supplies or overrides it), which several hubs can share.
   */
  store: z
    .strictObject({
      kind: z.enum(['sqlite', 'postgres']).default('sqlite'),
      url: z
        .string()
        .regex(/^postgres(ql)?:\/\//, 'a PostgreSQL URL: postgres://user:password@host:5432/database')
        .optional(),
      pool_size: z.number().int().min(1).max(100).optional(),
    })
    .refine((s) => s.kind === 'postgres' || s.url === undefined, { message: 'url is for kind "postgres"; SQLite lives in data_dir' })
    .prefault({}),
  max_frame_bytes: z.number().int().min(1024).default(DEFAULT_MAX_FRAME_BYTES),
  ping_interval_ms: z.number().int().min(100).default(15_000),
  limits: LimitsSchema.prefault({}),
  /** Per-account settings; `handles` are the account's own phone numbers/emails (else learned from its rows). */
  accounts: z
    .record(
      z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'account names are 1-32 chars of a-z, 0-9, _ and -'),
      z.strictObject({ handles: z.array(z.string().min(3)).default([]) }),
    )
    .default({}),
  routes: z.array(RouteRuleSchema).default([]),
  default_account: z.string().optional(),
  send: z
    .strictObject({
      queue_ttl_s: z.number().int().nonnegative().default(3600),
      wait_ms: z.number().int().nonnegative().default(8000),
      max_file_bytes: z
        .number()
        .int()
        .positive()
        .default(16 * 1024 * 1024),
      /** Per-account token bucket: sustained rate and burst. Conservative: Apple flags fast senders. */
      rate_per_minute: z.number().positive().default(30),
      burst: z.number().int().positive().default(10),
      /** Dispatches the agent answered without an outcome: exponential backoff, and attempts before a send fails. */
      retry: z
        .strictObject({
          base_ms: z.number().int().positive().default(500),
          max_ms: z.number().int().positive().default(30_000),
          max_attempts: z.number().int().min(1).max(100).default(8),
        })
        .prefault({}),
      /** Sends in doubt: the longest wait between two questions to the agent about one (the first comes after a second, then doubling). */
      doubt_check_ms: z.number().int().min(100).default(60_000),
    })
    .prefault({}),
  webhooks: z.array(WebhookSchema).default([]),
  blobs: BlobsSchema.prefault({}),
  send_events: SendEventsSchema.prefault({}),
});
export type HubConfig = z.infer<typeof HubConfigSchema>;

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates a config object; the error names each bad key and what was expected. */
export function parseHubConfig(raw: unknown, source = 'config'): HubConfig {
  const r = HubConfigSchema.safeParse(raw ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new ConfigError(`${source} is invalid:\n${lines.join('\n')}\nFix these keys and start again (docs/configuration.md lists every key).`);
  }
  return r.data;
}

/** Reads a JSON config file; relative paths in it are resolved against the file's directory. */
export function loadHubConfig(path: string): HubConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid JSON: ${(err as Error).message}`);
  }
  const config = parseHubConfig(raw, `config file ${path}`);
  const base = dirname(resolve(path));
  config.data_dir = resolve(base, config.data_dir);
  if (config.tls) config.tls = { cert: resolve(base, config.tls.cert), key: resolve(base, config.tls.key) };
  return config;
}
