// The published @openclaw/imessage plugin (pinned in package.json), its own code loaded as it ships:
// the probe, the RPC client, the reply cache, the send path, the message actions and the inbound
// parser. Its `openclaw` host imports resolve to test/support/openclaw-sdk-stub.ts (vitest.config.ts).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The chunks of 2026.9.6 that hold what the tests drive (`dist/.setup/<region>-<hash>.mjs`). */
const CHUNKS = {
  groupPolicy: 'group-policy-Cjztkquv.mjs',
  messageTool: 'message-tool-api-pvlcOJPG.mjs',
  client: 'sanitize-outbound-sJPF2DVM.mjs',
  send: 'send-odAfTQ2J.mjs',
  runtime: 'runtime-Cza4CY5T.mjs',
  monitor: 'monitor-BJ3Ozi6I.mjs',
} as const;

const dist = join(dirname(createRequire(import.meta.url).resolve('@openclaw/imessage/package.json')), 'dist', '.setup');

export interface PrivateApiStatus {
  available: boolean;
  v2Ready: boolean;
  selectors: Record<string, boolean>;
  rpcMethods: string[];
  cliCapabilities: { sendRichSupportsAttachment: boolean; pollSendSupportsNoComment: boolean };
  statusMessage?: string;
  error?: string;
}

export interface ProbeResult {
  ok: boolean;
  error?: string;
  fatal?: boolean;
  privateApi?: PrivateApiStatus;
}

export interface RpcClient {
  request(method: string, params?: unknown, o?: { timeoutMs?: number }): Promise<any>;
  stop(): Promise<void>;
}

export interface OpenClawIMessage {
  probeIMessage(timeoutMs: number | undefined, opts: { cliPath: string; dbPath?: string; remoteHost?: string; forceRefresh?: boolean }): Promise<ProbeResult>;
  imessageRpcSupportsMethod(status: PrivateApiStatus | undefined, method: string): boolean;
  describeMessageTool(p: { cfg: unknown; accountId?: string; chatType?: string }): { actions: string[] } | null;
  invalidatePrivateApiStatus(cliPath?: string): void;
  handleAction(p: Record<string, unknown>): Promise<{ details: Record<string, unknown> }>;
  createRpcClient(o: { cliPath: string; dbPath?: string; onNotification?: (n: { method: string; params: any }) => void }): Promise<RpcClient>;
  RpcRequestError: new (...args: any[]) => Error & { code?: number; data?: unknown };
  rememberReplyCache(entry: Record<string, unknown>): Promise<unknown> | unknown;
  sendMessage(to: string, text: string, opts: Record<string, unknown>): Promise<{ messageId: string; guid?: string }>;
  setRuntime(runtime: unknown): void;
  /** `<cliPath> <args…> [--db p] --json`, the last stdout line as an object (the one-shot runner). */
  runCliJson(p: { cliPath: string; args: string[]; timeoutMs?: number }): Promise<Record<string, unknown>>;
  /** The monitor's parser of a `message` notification (null = dropped). */
  parseNotification(raw: unknown): Record<string, any> | null;
}

/** Evaluates the monitor's parse-notification region (and the text clean-up it calls) as shipped. */
function loadParser(): (raw: unknown) => Record<string, any> | null {
  const source = readFileSync(join(dist, CHUNKS.monitor), 'utf8');
  const start = source.indexOf('//#region extensions/imessage/src/monitor/strip-imsg-length-prefixed-text.ts');
  const end = source.indexOf('//#region extensions/imessage/src/monitor/catchup-bridge.ts');
  if (start < 0 || end < start) throw new Error('the pinned plugin no longer has the parse-notification region where expected');
  const isRecord = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);
  return new Function('isRecord', `${source.slice(start, end)}\nreturn parseIMessageNotification;`)(isRecord);
}

export async function loadOpenClawIMessage(): Promise<OpenClawIMessage> {
  const load = (chunk: string) => import(/* @vite-ignore */ join(dist, chunk)) as Promise<Record<string, any>>;
  const [groupPolicy, messageTool, client, send, runtime] = await Promise.all([
    load(CHUNKS.groupPolicy),
    load(CHUNKS.messageTool),
    load(CHUNKS.client),
    load(CHUNKS.send),
    load(CHUNKS.runtime),
  ]);
  const actions = groupPolicy['u'];
  return {
    probeIMessage: groupPolicy['d'],
    imessageRpcSupportsMethod: messageTool['r'],
    describeMessageTool: messageTool['t'],
    invalidatePrivateApiStatus: messageTool['i'],
    handleAction: (p) => actions.handleAction(p),
    createRpcClient: client['o'],
    RpcRequestError: client['a'],
    rememberReplyCache: client['f'],
    sendMessage: send['t'],
    setRuntime: runtime['r'],
    runCliJson: client['s'],
    parseNotification: loadParser(),
  };
}

/** The host's plugin state store, in memory (the reply cache and echo cache persist through it). */
export function memoryRuntime(): unknown {
  const stores = new Map<string, Map<string, { value: unknown; until: number }>>();
  const storeOf = (namespace: string) => {
    let s = stores.get(namespace);
    if (!s) stores.set(namespace, (s = new Map()));
    return s;
  };
  const live = (s: Map<string, { value: unknown; until: number }>) => [...s].filter(([, e]) => e.until > Date.now());
  const sync = (o: { namespace: string }) => {
    const s = storeOf(o.namespace);
    return {
      register: (key: string, value: unknown, opts: { ttlMs?: number } = {}) => void s.set(key, { value, until: Date.now() + (opts.ttlMs ?? 86_400_000) }),
      lookup: (key: string) => live(s).find(([k]) => k === key)?.[1].value,
      entries: () => live(s).map(([key, e]) => ({ key, value: e.value })),
      delete: (key: string) => s.delete(key),
    };
  };
  const async = (o: { namespace: string }) => {
    const store = sync(o);
    return {
      register: async (...a: Parameters<typeof store.register>) => store.register(...a),
      lookup: async (key: string) => store.lookup(key),
      entries: async () => store.entries(),
      delete: async (key: string) => store.delete(key),
    };
  };
  return { state: { openKeyedStore: async, openSyncKeyedStore: sync } };
}

/** The plugin's config for these accounts, each with its own wrapper as `cliPath` (as docs/openclaw.md says). */
export function pluginConfig(accounts: Record<string, { cliPath: string; remoteHost?: string }>): Record<string, unknown> {
  return {
    channels: {
      imessage: {
        accounts: Object.fromEntries(Object.entries(accounts).map(([id, a]) => [id, { ...a, includeAttachments: false, probeTimeoutMs: 10_000 }])),
      },
    },
  };
}
