import { readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { HubUrlListSchema, HubUrlSchema, splitHubUrls } from '@imsg-hub/hub-client';
import { z } from 'zod';
import { AgentError } from './errors.js';

// The agent's config file (JSON). Every key is snake_case; relative paths are relative to the file.
// Each account's `source` belongs to the source package (`@imsg-hub/imsg-source`: local, ssh): the
// app hands its schema in as `SourceKinds`, so the core never imports an implementation.

const ms = z.number().int().positive();
const path = z.string().min(1);
/** A folder where imsg runs: absolute, or `~/…` (that machine's home). */
const macFolder = z.string().regex(/^(\/|~\/)\S*/, 'expected an absolute path or ~/…, on the machine where imsg runs');
/** Where Messages keeps received and sent files (issue 10, point 4: uploads come only from under it). */
export const DEFAULT_ATTACHMENTS_ROOT = '~/Library/Messages/Attachments';

const accountName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'expected 1-32 chars of a-z, 0-9, _ and -, starting with a letter or digit');

/** An account's `source` entry as the core sees it: its kind; the source package owns the rest. */
export interface SourceConfigBase {
  kind: string;
}

/** What a source package supplies for the config: the schema of `source` entries and their paths. */
export interface SourceKinds<S extends SourceConfigBase> {
  /** Validates one `source` entry (errors name the key and what was expected). */
  schema: z.ZodType<S>;
  /** The entry with its file paths made absolute by `abs` (relative to the config file, `~` home). */
  resolvePaths(source: S, abs: (path: string) => string): S;
}

const BackoffSchema = z.strictObject({ initial_ms: ms.default(500), max_ms: ms.default(30_000) });

/** The agent config's schema, with each account's `source` validated by `source`. */
export function agentConfigSchema<S extends SourceConfigBase>(source: z.ZodType<S>) {
  return z.strictObject({
    agent_id: z
      .string()
      .min(1)
      .max(128)
      .default(() => hostname()),
    hub: z
      .strictObject({
        /** The hub. */
        url: HubUrlSchema.optional(),
        /** Several hubs of one fleet (one PostgreSQL store): the first first, the next on failure. */
        urls: HubUrlListSchema.optional(),
        token: z.string().min(1).optional(),
        token_file: path.optional(),
        ping_interval_ms: ms.optional(),
        /** PEM certificate (or CA) to trust for a hub with a self-signed wss:// certificate. */
        ca_file: path.optional(),
        reconnect: BackoffSchema.default({ initial_ms: 500, max_ms: 30_000 }),
      })
      .refine((h) => h.token !== undefined || h.token_file !== undefined, {
        message: 'expected token or token_file',
        path: ['token'],
      })
      .refine((h) => h.url !== undefined || h.urls !== undefined, {
        message: 'required: the hub as url ("ws://host:7311/"), or several hubs of one fleet as urls (["ws://a:7311/", "ws://b:7311/"])',
        path: ['url'],
      })
      .refine((h) => h.url === undefined || h.urls === undefined, {
        message: 'give url or urls, not both (urls lists every hub, in order of preference)',
        path: ['urls'],
      })
      .transform((h) => ({ ...h, urls: h.urls ?? [h.url!] })),
    state_dir: path.default(() => join(homedir(), '.imsg-agent')),
    accounts: z
      .array(
        z.strictObject({
          name: accountName,
          source,
          /** Only attachments whose real path lies under this folder are uploaded (docs/agent.md, "Files"). */
          attachments_root: macFolder.default(DEFAULT_ATTACHMENTS_ROOT),
        }),
      )
      .min(1, 'expected at least one account')
      .max(64)
      .superRefine((accounts, ctx) => {
        const seen = new Set<string>();
        accounts.forEach((a, i) => {
          if (seen.has(a.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate account name "${a.name}"` });
          seen.add(a.name);
        });
      }),
    watchdog: z
      .strictObject({ probe_interval_ms: ms.default(30_000), stall_ms: ms.default(60_000), probe_timeout_ms: ms.default(20_000) })
      .default({ probe_interval_ms: 30_000, stall_ms: 60_000, probe_timeout_ms: 20_000 }),
    restart_backoff: BackoffSchema.default({ initial_ms: 500, max_ms: 30_000 }),
    /** The watch waits this long after a chat.db change before reading (docs/agent.md, "Latency"). */
    debounce_ms: z.number().int().nonnegative().default(30),
    /** imsg 0.14+: how often chats' unread counts are read (chats.list) for the hub; 0: never. */
    unread_interval_ms: z.number().int().nonnegative().default(15_000),
    /** imsg 0.14+: rows a watch may hold unread before it overflows (resumed by a catch-up). */
    watch_buffer_limit: z.number().int().min(1).max(4096).default(4096),
    attachments: z
      .strictObject({
        max_bytes: z
          .number()
          .int()
          .positive()
          .default(16 * 1024 * 1024),
        wait_ms: z.number().int().nonnegative().default(10_000),
        /** A folder whose files a send may name by path; absent: only files the hub hands over as blobs are sent. */
        outbound_dir: macFolder.optional(),
      })
      .default({ max_bytes: 16 * 1024 * 1024, wait_ms: 10_000 }),
    send: z
      .strictObject({
        timeout_ms: ms.default(60_000),
        /** How long a tracked send imsg is unsure about is looked up with message.send_status before it is in doubt. */
        resolve_wait_ms: z.number().int().nonnegative().default(10_000),
        /** How long after a send its delivered/read receipts are looked for (message.send_status); 0: never. */
        receipt_window_ms: z.number().int().nonnegative().default(900_000),
        /** Ignored (older agents searched history for a send in doubt and re-sent it; sends in doubt are never re-sent now). */
        echo_wait_ms: z.number().int().nonnegative().optional(),
      })
      .default({ timeout_ms: 60_000, resolve_wait_ms: 10_000, receipt_window_ms: 900_000 }),
  });
}

type ParsedConfig<S extends SourceConfigBase> = z.infer<ReturnType<typeof agentConfigSchema<S>>>;
export type AccountConfig<S extends SourceConfigBase = SourceConfigBase> = ParsedConfig<S>['accounts'][number];

/** A validated config with paths made absolute and the token read. */
export type AgentConfig<S extends SourceConfigBase = SourceConfigBase> = Omit<ParsedConfig<S>, 'hub'> & {
  hub: Omit<ParsedConfig<S>['hub'], 'token'> & { token: string };
};

/** Values from flags or the environment; they win over the file. */
export interface ConfigOverrides {
  /** One hub URL, or several comma-separated: replaces hub.url and hub.urls. */
  hubUrl?: string;
  token?: string;
  stateDir?: string;
}

/** Reads, overrides and validates a JSON config file; throws CONFIG_UNREADABLE / CONFIG_INVALID. */
export function loadConfigFile<S extends SourceConfigBase>(file: string, sources: SourceKinds<S>, overrides: ConfigOverrides = {}): AgentConfig<S> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AgentError(
      'CONFIG_UNREADABLE',
      `cannot read config ${file}: ${(err as Error).message}. Pass --config with the path of the agent's JSON config.`,
      { file },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AgentError('CONFIG_INVALID', `config ${file} is not valid JSON: ${(err as Error).message}`, { file });
  }
  return parseConfig(raw, { sources, baseDir: dirname(resolve(file)), overrides, source: file });
}

export interface ParseConfigOptions<S extends SourceConfigBase> {
  /** The source kinds accounts may use (the app passes imsg-source's). */
  sources: SourceKinds<S>;
  /** Relative paths resolve against this (default: the working directory). */
  baseDir?: string;
  overrides?: ConfigOverrides;
  /** Names the config in errors (default "config"). */
  source?: string;
}

/** Validates a config object; errors name each bad key and what was expected. */
export function parseConfig<S extends SourceConfigBase>(raw: unknown, options: ParseConfigOptions<S>): AgentConfig<S> {
  const base = options.baseDir ?? process.cwd();
  const withOverrides = applyOverrides(raw, options.overrides ?? {});
  const parsed = agentConfigSchema(options.sources.schema).safeParse(withOverrides);
  const where = options.source ?? 'config';
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${formatPath(i.path)}: ${describeIssue(i)}`);
    throw new AgentError('CONFIG_INVALID', `invalid ${where}:\n${lines.join('\n')}`, { issues: lines });
  }
  const c = parsed.data;
  const abs = (p: string): string => {
    if (p === '~' || p.startsWith('~/')) return join(homedir(), p.slice(1));
    return isAbsolute(p) ? p : resolve(base, p);
  };
  let token = c.hub.token;
  if (token === undefined) {
    const file = abs(c.hub.token_file!);
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (err) {
      throw new AgentError('CONFIG_INVALID', `invalid ${where}:\n  hub.token_file: cannot read ${file} (${(err as Error).message})`);
    }
    if (!token) throw new AgentError('CONFIG_INVALID', `invalid ${where}:\n  hub.token_file: ${file} is empty`);
  }
  return {
    ...c,
    hub: { ...c.hub, token, ...(c.hub.ca_file ? { ca_file: abs(c.hub.ca_file) } : {}) },
    state_dir: abs(c.state_dir),
    accounts: c.accounts.map((a) => ({ ...a, source: options.sources.resolvePaths(a.source, abs) })),
  };
}

function applyOverrides(raw: unknown, o: ConfigOverrides): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const out: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  const hubRaw = out['hub'];
  const hub: Record<string, unknown> = typeof hubRaw === 'object' && hubRaw !== null ? { ...(hubRaw as Record<string, unknown>) } : {};
  if (o.hubUrl) {
    const urls = splitHubUrls(o.hubUrl);
    delete hub['url'];
    delete hub['urls'];
    if (urls.length === 1) hub['url'] = urls[0];
    else hub['urls'] = urls;
  }
  if (o.token) {
    hub['token'] = o.token;
    delete hub['token_file'];
  }
  if (o.hubUrl || o.token || hubRaw !== undefined) out['hub'] = hub;
  if (o.stateDir) out['state_dir'] = o.stateDir;
  return out;
}

/** `accounts[1].source.host_key` from zod's path. */
export function formatPath(p: readonly PropertyKey[]): string {
  if (p.length === 0) return '(root)';
  return p.reduce<string>((s, k) => (typeof k === 'number' ? `${s}[${k}]` : s ? `${s}.${String(k)}` : String(k)), '');
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    const password = issue.keys.some((k) => /pass/i.test(k)) ? ' (passwords are never used: SSH sources use private_key_file)' : '';
    return `unknown key ${keys}${password}`;
  }
  if (issue.code === 'invalid_type' && issue.message.endsWith('received undefined')) {
    return `required (expected ${issue.expected})`;
  }
  return issue.message;
}
