import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { HubUrlListSchema, parseHubUrls, resolveHubEndpoint, type HubEndpoint, type HubEndpointFlags } from '@imsg-hub/hub-client';
import { DEFAULT_HUB_URL } from '@imsg-hub/hub-client/default-hub-url';
import { z } from 'zod';
import { FacadeError } from './facade-errors.js';
import { IMSG_VERSIONS } from './status.js';

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Everything `imsg-hub rpc` runs with, validated. */
export const FacadeOptionsSchema = z.object({
  /** The hub URL(s) as given, comma-separated: for status and messages. */
  hubUrl: z.string().min(1),
  /** The hubs to dial, first first: several hubs of one fleet fail over to each other. */
  hubUrls: HubUrlListSchema,
  token: z.string().min(1).max(512),
  /** Per-account mode: this account only. Absent: merged mode over every account the token sees. */
  account: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'expected an account name (1-32 chars of a-z, 0-9, _ and -)')
    .optional(),
  /** Where inbound attachments are cached (`<dir>/<sha256>/<name>`). */
  cacheDir: z.string().min(1),
  /** Every request is answered within this many ms of arriving (OpenClaw's client gives up at 10 s). */
  requestBudgetMs: z.number().int().min(500).max(600_000).default(9000),
  /** How long a send waits for its outcome before answering `queued:true` (within the budget). */
  sendWaitMs: z.number().int().min(0).max(600_000).default(8000),
  logLevel: z.enum(LOG_LEVELS).default('warn'),
  /** PEM of a self-signed hub's certificate. */
  ca: z.string().optional(),
  /** The imsg the facade plays: 0.15.10 (protocol v1, default) or 0.9.0 (for clients of that protocol). */
  imsgVersion: z.enum(IMSG_VERSIONS).default('0.15.10'),
});
export type FacadeOptions = z.infer<typeof FacadeOptionsSchema>;

/** What the CLI passes: flags, each optional; the environment fills the gaps. */
export interface FacadeFlags extends HubEndpointFlags {
  account?: string | undefined;
  cacheDir?: string | undefined;
  /** ms, as text from the command line. */
  answerWithin?: string | undefined;
  /** ms, as text from the command line. */
  sendWait?: string | undefined;
  verbose?: boolean | undefined;
  logLevel?: string | undefined;
  imsgVersion?: string | undefined;
}

/** The default attachment cache: `$XDG_CACHE_HOME/imsg-hub/attachments`, else `~/.cache/...`. */
export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env['XDG_CACHE_HOME'] || join(homedir(), '.cache');
  return join(base, 'imsg-hub', 'attachments');
}

/**
 * Flags → env (`IMSG_HUB_URL`, `IMSG_HUB_TOKEN`, `IMSG_HUB_TOKEN_FILE`, `IMSG_HUB_ACCOUNT`,
 * `IMSG_HUB_CACHE_DIR`, `IMSG_HUB_ANSWER_WITHIN_MS`, `IMSG_HUB_SEND_WAIT_MS`, `IMSG_HUB_LOG_LEVEL`,
 * `IMSG_HUB_IMSG_VERSION`)
 * → defaults, so a wrapper script can be one `exec` line. Throws CONFIG naming what is wrong.
 */
export function resolveFacadeOptions(flags: FacadeFlags, env: NodeJS.ProcessEnv = process.env): FacadeOptions {
  let endpoint: HubEndpoint;
  try {
    parseHubUrls(flags.hubUrl ?? (env['IMSG_HUB_URL'] || DEFAULT_HUB_URL), 'hubUrl');
    endpoint = resolveHubEndpoint(flags, env);
  } catch (err) {
    throw new FacadeError('CONFIG', (err as Error).message, { cause: err });
  }
  const named = flags.logLevel ?? (env['IMSG_HUB_LOG_LEVEL'] || undefined);
  const level = named !== undefined ? normalizeLevel(named) : flags.verbose ? 'info' : undefined;
  const parsed = FacadeOptionsSchema.safeParse({
    hubUrl: endpoint.url,
    hubUrls: endpoint.urls,
    token: endpoint.token,
    account: flags.account ?? (env['IMSG_HUB_ACCOUNT'] || undefined),
    cacheDir: resolve(flags.cacheDir ?? (env['IMSG_HUB_CACHE_DIR'] || defaultCacheDir(env))),
    ...(level ? { logLevel: level } : {}),
    ...msOption('requestBudgetMs', flags.answerWithin ?? (env['IMSG_HUB_ANSWER_WITHIN_MS'] || undefined)),
    ...msOption('sendWaitMs', flags.sendWait ?? (env['IMSG_HUB_SEND_WAIT_MS'] || undefined)),
    ...(endpoint.ca ? { ca: endpoint.ca } : {}),
    ...imsgVersionOption(flags.imsgVersion ?? (env['IMSG_HUB_IMSG_VERSION'] || undefined)),
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FacadeError('CONFIG', `${issue.path.join('.') || 'options'}: ${issue.message}`);
  }
  return parsed.data;
}

/** `0.15`, `0.15.10`, `0.9`, `0.9.0`: the two imsg versions the facade plays; anything else goes to zod to refuse. */
function imsgVersionOption(value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  const v = value.trim();
  return { imsgVersion: v === '0.15' ? '0.15.10' : v === '0.9' ? '0.9.0' : v };
}

/** A number of milliseconds given as text; anything else is passed on for zod to refuse by name. */
function msOption(key: 'requestBudgetMs' | 'sendWaitMs', value: string | undefined): Record<string, unknown> {
  if (value === undefined) return {};
  return { [key]: /^\d+$/.test(value.trim()) ? Number(value) : value };
}

/** imsg's level names too (`warning`, `trace`, `critical`); anything unknown is left for zod to name. */
function normalizeLevel(level: string): string {
  const l = level.toLowerCase();
  const aliases: Record<string, LogLevel> = {
    warning: 'warn',
    trace: 'debug',
    verbose: 'debug',
    critical: 'error',
    fatal: 'error',
    off: 'silent',
    none: 'silent',
  };
  return aliases[l] ?? l;
}
