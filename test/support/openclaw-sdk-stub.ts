// A stand-in for the `openclaw` host that @openclaw/imessage imports (`openclaw/plugin-sdk/*`), so
// the published plugin's own probe, client, send and action code can run in a test against
// `imsg-hub`. Written here from what the plugin calls (no host code copied): real behaviour where
// the plugin's path under test depends on it (spawning commands, paths, params, account config),
// inert values for what the plugin builds at import time (setup wizards, policies), and anything
// else throws, naming itself, so an unexpected host call fails the test instead of passing silently.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';

type Fn = (...args: any[]) => any;

/** Called by the plugin at run time but not provided: fails loudly. */
const missing =
  (name: string): Fn =>
  () => {
    throw new Error(`openclaw test host: ${name} is not provided`);
  };

/** Built by the plugin at import time (setup wizards, policy trees): any property, any call, no effect. */
function inert(name: string): any {
  const target = (() => undefined) as unknown as object;
  return new Proxy(target, {
    get: (_t, key) => (key === Symbol.toPrimitive ? () => `[inert ${name}]` : key === 'then' ? undefined : inert(`${name}.${String(key)}`)),
    apply: () => inert(`${name}()`),
  });
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const trimmed = (v: unknown): string | undefined => {
  const s = str(v)?.trim();
  return s ? s : undefined;
};
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const expandHome = (p: string) => (p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p);

/** `runCommandWithTimeout(argv, {timeoutMs})`: the command as a real child, no shell; stdout, stderr, exit code. */
function runCommandWithTimeout(argv: string[], o: { timeoutMs?: number } = {}): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let termination: string | undefined;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    const timer = setTimeout(() => {
      termination = 'timeout';
      child.kill('SIGKILL');
    }, o.timeoutMs ?? 10_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, signal, ...(termination ? { termination } : { termination: 'exit' }) });
    });
  });
}

/** `detectBinary(path)`: an executable file at that path, or a name found on PATH. */
async function detectBinary(bin: string): Promise<boolean> {
  const candidates = isAbsolute(bin) || bin.includes('/') ? [bin] : (process.env['PATH'] ?? '').split(delimiter).map((d) => join(d, bin));
  return candidates.some((c) => {
    try {
      accessSync(c, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function readStringParam(params: Record<string, unknown>, key: string, o: { required?: boolean; trim?: boolean } = {}): string | undefined {
  const v = params[key];
  const s = typeof v === 'string' ? (o.trim === false ? v : v.trim()) : undefined;
  if (s) return s;
  if (o.required) throw new Error(`${key} required`);
  return undefined;
}

function readIntegerParam(params: Record<string, unknown>, key: string, min: number): number | undefined {
  const v = params[key];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
  return n !== undefined && Number.isSafeInteger(n) && n >= min ? n : undefined;
}

/** Account config: the channel's settings, overridden by the named account's (`channels.imessage.accounts.<id>`). */
function createAccountListHelpers(channel: string) {
  const section = (cfg: any) => cfg?.channels?.[channel] ?? {};
  const listAccountIds = (cfg: any) => {
    const ids = Object.keys(section(cfg).accounts ?? {});
    return ids.length > 0 ? ids : ['default'];
  };
  return {
    listAccountIds,
    resolveDefaultAccountId: (cfg: any) => section(cfg).defaultAccount ?? listAccountIds(cfg)[0],
    resolveAccountConfig: (cfg: any, accountId: string) => {
      const { accounts, ...base } = section(cfg);
      return { ...base, ...(accounts?.[accountId] ?? {}) };
    },
  };
}

function createPluginRuntimeStore(o: { errorMessage: string }) {
  let runtime: unknown;
  return {
    getRuntime: () => {
      if (runtime === undefined) throw new Error(o.errorMessage);
      return runtime;
    },
    setRuntime: (r: unknown) => {
      runtime = r;
    },
    tryGetRuntime: () => runtime,
  };
}

interface ChatPrefixes {
  trimmed: string;
  lower: string;
  chatIdPrefixes: string[];
  chatGuidPrefixes: string[];
  chatIdentifierPrefixes: string[];
}

/** `chat_id:<n>`, `chat_guid:<g>`, `chat_identifier:<s>` (and their spellings): the chat target, else undefined. */
function parseChatTargetPrefixesOrThrow(p: ChatPrefixes): Record<string, unknown> | undefined {
  const rest = (prefixes: string[]) => {
    const prefix = prefixes.find((x) => p.lower.startsWith(x));
    return prefix === undefined ? undefined : p.trimmed.slice(prefix.length).trim();
  };
  const id = rest(p.chatIdPrefixes);
  if (id !== undefined) {
    if (!/^\d+$/.test(id)) throw new Error(`invalid chat id: ${id}`);
    return { kind: 'chat_id', chatId: Number(id) };
  }
  const guid = rest(p.chatGuidPrefixes);
  if (guid !== undefined) return { kind: 'chat_guid', chatGuid: guid };
  const identifier = rest(p.chatIdentifierPrefixes);
  if (identifier !== undefined) return { kind: 'chat_identifier', chatIdentifier: identifier };
  return undefined;
}

/** `imessage:<x>` / `sms:<x>` / `auto:<x>`: a chat target after the prefix, else a handle on that service. */
function resolveServicePrefixedChatTarget(
  p: ChatPrefixes & { servicePrefixes: { prefix: string; service: string }[]; parseTarget: (raw: string) => Record<string, unknown> },
): Record<string, unknown> | undefined {
  const match = p.servicePrefixes.find((x) => p.lower.startsWith(x.prefix));
  if (!match) return undefined;
  const rest = p.trimmed.slice(match.prefix.length).trim();
  if (parseChatTargetPrefixesOrThrow({ ...p, trimmed: rest, lower: rest.toLowerCase() })) return p.parseTarget(rest);
  return { kind: 'handle', to: rest, service: match.service };
}

class PlatformMessageNotDispatchedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PlatformMessageNotDispatchedError';
  }
}

const quietLogger = () => ({ info() {}, warn() {}, error() {}, debug() {}, trace() {}, child: quietLogger });

/** `openclaw/plugin-sdk/<module>` → its exports. */
export const OPENCLAW_SDK: Record<string, Record<string, unknown>> = {
  'account-helpers': { createAccountListHelpers },
  'account-id': { DEFAULT_ACCOUNT_ID: 'default' },
  'account-resolution': {
    normalizeE164: (v: string) => {
      const digits = v.replace(/[^\d+]/g, '');
      return digits.startsWith('+') ? digits : `+${digits}`;
    },
    normalizeAccountId: (v: unknown) => trimmed(v)?.toLowerCase() ?? 'default',
    resolveAccountEntry: (accounts: unknown, id: string) => (isRecord(accounts) ? accounts[id] : undefined),
  },
  'allow-from': { parseAllowFromEntries: missing('parseAllowFromEntries') },
  'approval-auth-runtime': { createChannelApprovalAuth: inert('createChannelApprovalAuth') },
  'approval-reaction-runtime': Object.fromEntries(
    [
      'addApprovalReactionHintToText',
      'createApprovalReactionTargetStore',
      'listApprovalReactionBindings',
      'approvalReactionDecisionSetsMatch',
      'buildApprovalReactionDeliveredBindingMarker',
      'buildApprovalReactionHint',
      'normalizeApprovalReactionDecision',
      'readApprovalReactionDecisionList',
      'readApprovalReactionDeliveredBinding',
      'readApprovalReactionPresentationBinding',
      'readApprovalReactionTargetRecord',
      'resolveTypedApprovalReactionTarget',
      'settleApprovalReaction',
    ].map((n) => [n, n === 'createApprovalReactionTargetStore' ? inert(n) : missing(n)]),
  ),
  'boolean-param': {
    readBooleanParam: (params: Record<string, unknown>, key: string) =>
      typeof params[key] === 'boolean' ? params[key] : params[key] === 'true' ? true : undefined,
  },
  'channel-actions': {
    createActionGate: (cfg: unknown) => (gate: string) => !isRecord(cfg) || cfg[gate] !== false,
    jsonResult: (payload: unknown) => ({ content: [{ type: 'text', text: JSON.stringify(payload) }], details: payload }),
    readStringParam,
    readNonNegativeIntegerParam: (p: Record<string, unknown>, k: string) => readIntegerParam(p, k, 0),
    readPositiveIntegerParam: (p: Record<string, unknown>, k: string) => readIntegerParam(p, k, 1),
    readReactionParams: (params: Record<string, unknown>, o: { removeErrorMessage?: string } = {}) => {
      const emoji = readStringParam(params, 'emoji') ?? '';
      const remove = params['remove'] === true;
      if (remove && !emoji) throw new Error(o.removeErrorMessage ?? 'emoji required to remove');
      return { emoji, remove, isEmpty: emoji === '' };
    },
    readStringArrayParam: (params: Record<string, unknown>, key: string) =>
      Array.isArray(params[key]) ? (params[key] as unknown[]).filter((x): x is string => typeof x === 'string') : undefined,
  },
  'channel-dm-policy': { createChannelDmPolicy: inert('createChannelDmPolicy') },
  'channel-inbound': { createChannelPartialDeliveryError: (error: unknown) => error },
  'channel-outbound': {
    createMessageReceiptFromOutboundResults: (o: { sentAt?: number }) => ({ platformMessageIds: [], sentAt: o.sentAt ?? Date.now() }),
  },
  'channel-policy': {
    buildChannelGroupsScopeTree: inert('buildChannelGroupsScopeTree'),
    resolveScopeRequireMention: missing('resolveScopeRequireMention'),
    resolveScopeToolsPolicy: missing('resolveScopeToolsPolicy'),
  },
  'channel-setup': { defineChannelSetupContract: inert('defineChannelSetupContract') },
  'channel-targets': {
    createAllowedChatSenderMatcher: inert('createAllowedChatSenderMatcher'),
    parseChatTargetPrefixesOrThrow,
    resolveServicePrefixedChatTarget,
    resolveServicePrefixedOrChatAllowTarget: missing('resolveServicePrefixedOrChatAllowTarget'),
  },
  'error-runtime': {
    PlatformMessageNotDispatchedError,
    isApprovalNotFoundError: () => false,
    formatErrorMessage: (err: unknown) => (err instanceof Error ? err.message : String(err)),
  },
  'expect-runtime': {
    expectDefined: <T>(v: T | undefined, what = 'value') => {
      if (v === undefined) throw new Error(`${what} is undefined`);
      return v;
    },
  },
  'host-runtime': { normalizeScpRemoteHost: (v: unknown) => trimmed(v) },
  'lazy-runtime': {
    createLazyRuntimeNamedExport: (load: () => Promise<Record<string, unknown>>, name: string) => async () => (await load())[name],
    createLazyRuntimeSurface: inert('createLazyRuntimeSurface'),
  },
  'markdown-table-runtime': { resolveMarkdownTableMode: () => 'off' },
  'media-runtime': {
    canonicalizeBase64: (v: string) => v,
    extractOriginalFilename: missing('extractOriginalFilename'),
    kindFromMime: missing('kindFromMime'),
    resolveOutboundAttachmentFromUrl: missing('resolveOutboundAttachmentFromUrl'),
  },
  'number-runtime': {
    asDateTimestampMs: (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined),
    resolveExpiresAtMsFromDurationMs: (ms: number) => Date.now() + ms,
    parseStrictInteger: (v: unknown) =>
      typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : typeof v === 'number' && Number.isInteger(v) ? v : undefined,
    isFutureDateTimestampMs: (v: unknown) => typeof v === 'number' && v > Date.now(),
  },
  'plugin-config-runtime': { requireRuntimeConfig: (cfg: unknown, what: string) => cfg ?? missing(`requireRuntimeConfig(${what})`)() },
  'plugin-state-runtime': { createPluginStateErrorReporter: () => () => undefined },
  'poll-runtime': {
    // The host's poll check: a question and 2..maxOptions distinct, trimmed, non-empty options.
    normalizePollInput: (input: { question: string; options: string[] }, o: { maxOptions?: number } = {}) => {
      const question = input.question.trim();
      const options = input.options.map((x) => x.trim()).filter((x) => x !== '');
      if (question === '') throw new Error('Poll question is required');
      if (options.length < 2) throw new Error('Poll requires at least 2 options');
      if (o.maxOptions !== undefined && options.length > o.maxOptions) throw new Error(`Poll supports at most ${o.maxOptions} options`);
      return { question, options };
    },
  },
  'process-runtime': { runCommandWithTimeout, resolveRuntimeWorkerUrl: missing('resolveRuntimeWorkerUrl') },
  'runtime-config-snapshot': { getRuntimeConfig: missing('getRuntimeConfig') },
  'runtime-env': { createSubsystemLogger: quietLogger, logVerbose: () => undefined, sleep: (ms: number) => new Promise((r) => setTimeout(r, ms)) },
  'runtime-store': { createPluginRuntimeStore },
  'security-runtime': { sanitizeUntrustedFileName: (name: string, fallback: string) => name.replace(/[/\\\0]/g, '_') || fallback },
  setup: { detectBinary },
  'setup-runtime': Object.fromEntries(
    [
      'createCliPathTextInput',
      'createDelegatedSetupWizardProxy',
      'createDelegatedTextInputShouldPrompt',
      'createPatchedAccountSetupAdapter',
      'createSetupTranslator',
      'promptParsedAllowFromForAccount',
      'setAccountAllowFromForChannel',
      'setSetupChannelEnabled',
    ].map((n) => [n, inert(n)]),
  ),
  'setup-tools': { formatDocsLink: (path: string) => `https://docs.openclaw.ai${path}` },
  'sqlite-runtime': { openSqliteWorkerStore: missing('openSqliteWorkerStore'), openNodeSqliteDatabase: missing('openNodeSqliteDatabase') },
  'string-coerce-runtime': {
    filterStringEntries: (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.trim() !== '') : []),
    normalizeLowercaseStringOrEmpty: (v: unknown) => (str(v) ?? '').trim().toLowerCase(),
    normalizeOptionalLowercaseString: (v: unknown) => trimmed(v)?.toLowerCase(),
    normalizeStringEntries: (v: unknown) => (Array.isArray(v) ? v.map((x) => String(x).trim()).filter(Boolean) : []),
    asOptionalRecord: (v: unknown) => (isRecord(v) ? v : undefined),
    normalizeOptionalString: trimmed,
    isRecord,
  },
  'temp-path': {
    resolvePreferredOpenClawTmpDir: missing('resolvePreferredOpenClawTmpDir'),
    withTempWorkspace: missing('withTempWorkspace'),
    sanitizeTempFileName: missing('sanitizeTempFileName'),
  },
  'text-chunking': {
    // Plain text in, plain text out: the texts sent in the tests carry no markup.
    convertMarkdownTables: (t: string) => t,
    stripInlineDirectiveTagsForDelivery: (t: string) => ({ text: t }),
    FormatCapabilityProfile: inert('FormatCapabilityProfile'),
    findCodeRegions: () => [],
    isInsideCode: () => false,
    markdownToIR: (text: string) => ({ text, styles: [] }),
    renderMarkdownWithAttributedRanges: (ir: { text: string }) => ({ text: ir.text, ranges: [] }),
    sanitizeAssistantVisibleText: (t: string) => t,
    stripMarkdown: (t: string) => t,
    tokenizeHtmlTags: () => [],
  },
  'text-utility-runtime': { truncateUtf16Safe: (t: string, n: number) => t.slice(0, n), resolveUserPath: (p: string) => expandHome(p) },
  'tool-send': { extractToolSend: missing('extractToolSend') },
};
