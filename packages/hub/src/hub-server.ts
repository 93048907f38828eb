import type { TokenRecord } from '@imsg-hub/store';
import { createReadStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { HubError } from '@imsg-hub/hub-protocol';
import { WebSocketServer } from 'ws';
import type { Hub } from './hub.js';
import { serveStatusPage } from './status/status-page.js';
import { blobVisible } from './blob-access.js';
import { verifyToken } from './token-auth.js';
import { ConnectionGate } from './connection-gate.js';
import { LogLimiter } from './log-limiter.js';

export interface HubServerOptions {
  host: string;
  port: number;
  tls?: { cert: string; key: string } | undefined;
  /** Extra HTTP routes (status page, webhooks admin); return true when handled. */
  routes?: ((req: IncomingMessage, res: ServerResponse, hub: Hub) => boolean | Promise<boolean>)[];
}

export interface HubServer {
  readonly url: string;
  readonly httpUrl: string;
  readonly port: number;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** Serves the hub: WebSocket API on `/`, plus /healthz, /metrics, /status and /blobs/<sha256> over HTTP(S). */
export async function startHubServer(hub: Hub, options: HubServerOptions): Promise<HubServer> {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    void route(hub, options, req, res).catch((err: Error) => {
      hub.log.error({ err: err.message, url: req.url }, 'http handler failed');
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
    });
  };
  const limits = hub.config.limits;
  // Node checks its own header/request timeouts on this period; keep it well under ours.
  const serverOptions = { connectionsCheckingInterval: Math.min(1000, limits.header_timeout_ms) };
  const server: Server = options.tls
    ? createHttpsServer(
        { ...serverOptions, handshakeTimeout: limits.header_timeout_ms, cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) },
        handler,
      )
    : createHttpServer(serverOptions, handler);
  server.headersTimeout = limits.header_timeout_ms;
  server.requestTimeout = Math.max(limits.header_timeout_ms, 30_000);
  const gate = new ConnectionGate(limits);
  const logs = new LogLimiter(hub.log);
  server.on('connection', (socket: Socket) => {
    if (admit(socket) && !options.tls) startHeaderTimer(socket);
  });
  // Under TLS, requests arrive on the TLS socket (the handshake itself is bounded by handshakeTimeout).
  if (options.tls) server.on('secureConnection', (socket: Socket) => startHeaderTimer(socket));
  // A request or upgrade whose headers arrived ends the header deadline of its socket.
  server.on('request', (req: IncomingMessage) => headerDone(req.socket));
  server.on('upgrade', (req: IncomingMessage) => headerDone(req.socket));
  const headerTimers = new WeakMap<Socket, NodeJS.Timeout>();

  function admit(socket: Socket): boolean {
    const refusal = gate.admitSocket(socket);
    if (refusal) {
      logs.warn('connection-refused', hub.log, { remote: socket.remoteAddress, open: gate.open }, 'connection refused: over a connection limit');
      // Plain HTTP can say why; under TLS nothing readable can be written before a handshake.
      if (options.tls) socket.destroy();
      else socket.end(`HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${refusal}\n`);
      setTimeout(() => socket.destroy(), 1000).unref();
      return false;
    }
    return true;
  }

  function startHeaderTimer(socket: Socket): void {
    const timer = setTimeout(() => {
      logs.warn('header-timeout', hub.log, { remote: socket.remoteAddress, ms: limits.header_timeout_ms }, 'no HTTP request in time; closing');
      socket.destroy();
    }, limits.header_timeout_ms);
    timer.unref();
    headerTimers.set(socket, timer);
    socket.once('close', () => clearTimeout(timer));
  }

  function headerDone(socket: Socket): void {
    clearTimeout(headerTimers.get(socket));
    headerTimers.delete(socket);
  }

  const wss = new WebSocketServer({ server, maxPayload: hub.config.max_frame_bytes });
  wss.on('connection', (socket, req) => {
    hub.accept(socket, `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? '?'}`, { gate, logs, rawSocket: req.socket });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const scheme = options.tls ? 'wss' : 'ws';
  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      logs.close();
    })());
  return {
    url: `${scheme}://${host}:${port}/`,
    httpUrl: `${options.tls ? 'https' : 'http'}://${host}:${port}/`,
    port,
    close,
    [Symbol.asyncDispose]: close,
  };
}

async function route(hub: Hub, options: HubServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://hub');
  if (req.method === 'GET' && url.pathname === '/healthz') {
    sendJson(res, 200, { ok: true, version: hub.version, agents: hub.registry.linkCount(), seq: hub.model.maxSeq });
    return;
  }
  if (req.method === 'GET' && url.pathname === '/metrics') {
    await hub.refreshGauges();
    res.writeHead(200, { 'content-type': hub.metrics.contentType }).end(await hub.metrics.text());
    return;
  }
  if (serveStatusPage(req, res)) return;
  const blob = /^\/blobs\/([0-9a-f]{64})$/.exec(url.pathname);
  if (req.method === 'GET' && blob) {
    const auth = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '');
    let token: TokenRecord;
    try {
      token = await verifyToken(hub.store, auth?.[1] ?? '');
      if (token.role !== 'client') throw new HubError('WRONG_ROLE', 'blobs are fetched with a client token');
    } catch (err) {
      sendJson(res, 401, { error: (err as Error).message });
      return;
    }
    if (!(await blobVisible(hub.store, token, blob[1]!))) {
      sendJson(res, 404, { error: `no blob ${blob[1]}` });
      return;
    }
    const path = await hub.blobs.localPath(blob[1]!);
    if (!path) {
      sendJson(res, 404, { error: `no blob ${blob[1]}` });
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(hub.blobs.size(blob[1]!)) });
    // pipeline closes the file when the client goes away mid-download (pipe() would leak the fd).
    pipeline(createReadStream(path), res, (err) => {
      if (err && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') hub.log.warn({ err: err.message }, 'blob download failed');
    });
    return;
  }
  for (const extra of options.routes ?? []) {
    if (await extra(req, res, hub)) return;
  }
  sendJson(res, 404, { error: `no route ${req.method} ${url.pathname}` });
}
