import {
  AgentHelloResultSchema,
  ClientHelloResultSchema,
  HubError,
  PROTOCOL_VERSION,
  type AgentHelloParams,
  type AgentHelloResult,
  type ClientHelloParams,
  type ClientHelloResult,
} from '@imsg-hub/hub-protocol';
import { describeZod, JsonRpcErrorCode, Peer, PeerError, RpcError, WebSocketTransport, type PeerOptions } from '@imsg-hub/jsonrpc';
import WebSocket from 'ws';
import { HubClientError } from './errors.js';

/** Who is dialing: an agent (publishes rows, answers sends) or a client (reads, sends). */
export type HubRole = 'agent' | 'client';

interface RoleTypes {
  agent: { params: Omit<AgentHelloParams, 'protocol' | 'role'>; result: AgentHelloResult };
  client: { params: Omit<ClientHelloParams, 'protocol' | 'role'>; result: ClientHelloResult };
}

/** What a role says in hello besides the protocol and the role (the token, who it is). */
export type HubHelloParams<R extends HubRole> = RoleTypes[R]['params'];
/** What the hub answers a role's hello with. */
export type HubHelloResult<R extends HubRole> = RoleTypes[R]['result'];

const HELLO_RESULT = { agent: AgentHelloResultSchema, client: ClientHelloResultSchema } as const;

/** One live, greeted connection to the hub. */
export interface HubSession<R extends HubRole = HubRole> {
  readonly peer: Peer;
  readonly hello: HubHelloResult<R>;
}

export interface DialOptions<R extends HubRole> {
  url: string;
  role: R;
  hello: HubHelloParams<R>;
  /** Extra TLS trust for a self-signed hub: PEM of its certificate or CA. */
  ca?: string | Buffer | undefined;
  /** Largest frame accepted from the hub (ws `maxPayload`). */
  maxFrameBytes: number;
  connectTimeoutMs: number;
  helloTimeoutMs: number;
  /** Default timeout of calls on the link. */
  requestTimeoutMs: number;
  perMessageDeflate?: boolean | undefined;
  /** Answers hub → this side requests other than `ping` (answered here). */
  onRequest?: ((method: string, params: unknown) => unknown) | undefined;
  onNotification?: PeerOptions['onNotification'];
  onProtocolError?: PeerOptions['onProtocolError'];
}

/**
 * Dials the hub and says hello by role: resolves with a greeted session and its socket, or rejects
 * with what went wrong — PeerError `cannot reach the hub …`, the hub's refusal as a HubError
 * (UNAUTHORIZED, WRONG_ROLE, …), or HubClientError HUB_PROTOCOL. Nothing is left open on failure.
 */
export async function dialHub<R extends HubRole>(o: DialOptions<R>): Promise<{ session: HubSession<R>; socket: WebSocket }> {
  const socket = new WebSocket(o.url, {
    maxPayload: o.maxFrameBytes,
    handshakeTimeout: o.connectTimeoutMs,
    ...(o.perMessageDeflate !== undefined ? { perMessageDeflate: o.perMessageDeflate } : {}),
    ...(o.ca ? { ca: o.ca } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', (err) => reject(new PeerError('PEER_CLOSED', `cannot reach the hub at ${o.url}: ${err.message}`, { cause: err })));
    socket.once('close', (code) =>
      reject(new PeerError('PEER_CLOSED', `cannot reach the hub at ${o.url}: it closed the connection (${code}) before it opened`)),
    );
  }).catch((err: unknown) => {
    socket.terminate();
    throw err;
  });
  const onRequest = o.onRequest;
  const peer = new Peer(new WebSocketTransport(socket), {
    defaultTimeoutMs: o.requestTimeoutMs,
    onRequest: (method, params) => {
      if (method === 'ping') {
        const ts = (params as { ts?: unknown } | undefined)?.ts;
        return { ts: typeof ts === 'number' ? ts : Date.now() };
      }
      if (!onRequest) throw new RpcError(JsonRpcErrorCode.MethodNotFound, undefined, method);
      return onRequest(method, params);
    },
    ...(o.onNotification ? { onNotification: o.onNotification } : {}),
    ...(o.onProtocolError ? { onProtocolError: o.onProtocolError } : {}),
  });
  try {
    const raw = await peer.request('hello', { protocol: PROTOCOL_VERSION, role: o.role, ...o.hello }, { timeoutMs: o.helloTimeoutMs });
    const parsed = HELLO_RESULT[o.role].safeParse(raw);
    if (!parsed.success) throw new HubClientError('HUB_PROTOCOL', `hub hello answer is not protocol ${PROTOCOL_VERSION}: ${describeZod(parsed.error)}`);
    if (parsed.data.protocol !== PROTOCOL_VERSION) {
      throw new HubClientError('HUB_PROTOCOL', `hub speaks protocol ${parsed.data.protocol}, this ${o.role} ${PROTOCOL_VERSION}: upgrade the older side`);
    }
    return { session: { peer, hello: parsed.data as HubHelloResult<R> }, socket };
  } catch (err) {
    socket.terminate();
    await peer.close();
    throw HubError.from(err) ?? err;
  }
}
