import type { AddressInfo } from 'node:net';
import { asAccount, HubError, PROTOCOL_VERSION } from '@imsg-hub/hub-protocol';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { HubClientError } from './errors.js';
import { HubConnection, type HubConnectionOptions } from './hub-connection.js';
import type { HubRole, HubSession } from './hub-session.js';

// A hub stand-in on 127.0.0.1, port 0: answers hello by role, pings while `answering`, and
// `watch.subscribe` (counting them); can refuse tokens, cut links, stop and start on its port.

interface Hello {
  role: HubRole;
  protocol: number;
  token: string;
  [key: string]: unknown;
}

class TestHub {
  readonly hellos: Hello[] = [];
  subscribes = 0;
  answering = true;
  refuse: 'UNAUTHORIZED' | undefined;
  badHello = false;
  #server: WebSocketServer | undefined;
  #port = 0;
  readonly #sockets = new Set<WebSocket>();

  get url(): string {
    return `ws://127.0.0.1:${this.#port}/`;
  }

  async start(): Promise<this> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: this.#port });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    this.#port = (server.address() as AddressInfo).port;
    server.on('connection', (socket) => this.#accept(socket));
    this.#server = server;
    return this;
  }

  /** Cuts every link, as a network failure would. */
  drop(): void {
    for (const s of this.#sockets) s.terminate();
  }

  async stop(): Promise<void> {
    this.drop();
    const server = this.#server;
    this.#server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #accept(socket: WebSocket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    new Peer(new WebSocketTransport(socket), {
      onRequest: (method, params) => {
        if (method === 'hello') {
          const hello = params as Hello;
          this.hellos.push(hello);
          if (this.refuse) throw new HubError(this.refuse, 'bad token');
          if (this.badHello) return { protocol: PROTOCOL_VERSION };
          const common = {
            protocol: PROTOCOL_VERSION,
            hub_version: 'test',
            session: `s${this.hellos.length}`,
            max_frame_bytes: 1 << 20,
            max_file_bytes: 1 << 20,
          };
          return hello.role === 'agent'
            ? { ...common, accounts: [{ name: 'alice', epoch: 1, hwm: 7 }], ping_interval_ms: 0 }
            : { ...common, accounts: ['alice'], seq: 3 };
        }
        if (method === 'ping') return this.answering ? { ts: Date.now() } : new Promise(() => undefined);
        if (method === 'watch.subscribe') {
          this.subscribes += 1;
          return { subscription: this.subscribes, seq: 3 };
        }
        throw new HubError('NOT_FOUND', `test hub does not know ${method}`);
      },
    });
  }
}

const waitFor = async (cond: () => boolean, ms = 5000): Promise<void> => {
  for (const end = Date.now() + ms; !cond(); await new Promise((r) => setTimeout(r, 5))) {
    if (Date.now() > end) throw new Error('condition not met in time');
  }
};

const hubs: TestHub[] = [];
const connections: HubConnection<HubRole>[] = [];
afterEach(async () => {
  for (const c of connections.splice(0)) await c.close();
  for (const h of hubs.splice(0)) await h.stop();
});

async function testHub(): Promise<TestHub> {
  const hub = await new TestHub().start();
  hubs.push(hub);
  return hub;
}

interface Trace {
  ups: string[];
  downs: number;
  retries: Error[];
  silent: number;
  gaveUp: Error[];
}

function connect<R extends HubRole>(
  hub: TestHub,
  role: R,
  hello: HubConnectionOptions<R>['hello'],
  extra: Partial<HubConnectionOptions<R>> = {},
): { connection: HubConnection<R>; trace: Trace } {
  const trace: Trace = { ups: [], downs: 0, retries: [], silent: 0, gaveUp: [] };
  const connection = new HubConnection<R>({
    url: hub.url,
    role,
    hello,
    backoff: { initial_ms: 5, max_ms: 40 },
    onUp: (session, phase) => trace.ups.push(`${phase}:${session.hello.session}`),
    onDown: () => void trace.downs++,
    onRetry: (err) => void trace.retries.push(err),
    onSilent: () => void trace.silent++,
    onGiveUp: (err) => void trace.gaveUp.push(err),
    ...extra,
  });
  connections.push(connection as unknown as HubConnection<HubRole>);
  return { connection, trace };
}

const agentHello = { token: 'a-token', agent: { id: 'a1', version: 'test' }, accounts: [asAccount('alice')] };
const clientHello = { token: 'c-token', client: { name: 'test' } };

describe('HubConnection', () => {
  it('says hello by role and validates the answer with that role’s schema', async () => {
    const hub = await testHub();
    const agent = connect(hub, 'agent', agentHello);
    const a = await agent.connection.open();
    expect(a.hello.accounts).toEqual([{ name: 'alice', epoch: 1, hwm: 7 }]);
    const client = connect(hub, 'client', clientHello);
    const c = await client.connection.open();
    expect(c.hello).toMatchObject({ accounts: ['alice'], seq: 3 });
    expect(hub.hellos).toEqual([
      { protocol: PROTOCOL_VERSION, role: 'agent', ...agentHello },
      { protocol: PROTOCOL_VERSION, role: 'client', ...clientHello },
    ]);
    hub.badHello = true;
    const bad = connect(hub, 'client', clientHello).connection.open();
    await expect(bad).rejects.toBeInstanceOf(HubClientError);
    await expect(bad).rejects.toMatchObject({ code: 'HUB_PROTOCOL' });
  });

  it('open() is one attempt: it rejects with what is wrong and does not retry', async () => {
    const hub = await testHub();
    hub.refuse = 'UNAUTHORIZED';
    const refused = connect(hub, 'client', clientHello);
    await expect(refused.connection.open()).rejects.toMatchObject({ hubCode: 'UNAUTHORIZED' });
    await hub.stop();
    const down = connect(hub, 'client', clientHello);
    await expect(down.connection.open()).rejects.toThrow(/cannot reach the hub at ws:\/\/127\.0\.0\.1:\d+\//);
    expect(down.connection.dialing).toBe(false);
    expect(refused.trace.retries).toHaveLength(0);
  });

  it('start() retries with backoff until the hub is there, and redials after each loss', async () => {
    const hub = await testHub();
    await hub.stop(); // same port, nothing listening yet
    const { connection, trace } = connect(hub, 'agent', agentHello);
    connection.start();
    await waitFor(() => trace.retries.length >= 3);
    expect(trace.ups).toEqual([]);
    expect(trace.retries[0]!.message).toMatch(/cannot reach the hub/);
    await hub.start();
    await waitFor(() => trace.ups.length === 1);
    expect(trace.ups[0]).toMatch(/^first:/);
    expect(connection.session?.hello.session).toBe(trace.ups[0]!.slice('first:'.length));
    hub.drop();
    await waitFor(() => trace.ups.length === 2);
    expect(trace.downs).toBe(1);
    expect(trace.ups[1]).toMatch(/^again:/);
    expect(hub.hellos).toHaveLength(2);
  });

  it('drops a link whose pings go unanswered twice, then redials', async () => {
    const hub = await testHub();
    const { connection, trace } = connect(hub, 'client', clientHello, { keepaliveMs: 30 });
    await connection.open();
    hub.answering = false;
    await waitFor(() => trace.downs === 1);
    expect(trace.silent).toBe(1);
    hub.answering = true;
    await waitFor(() => trace.ups.length === 2);
    expect(connection.session).toBeDefined();
  });

  it('takes the keepalive interval from the hello answer when asked to', async () => {
    const hub = await testHub();
    const seen: number[] = [];
    const { connection } = connect(hub, 'agent', agentHello, {
      keepaliveMs: (hello) => {
        seen.push(hello.ping_interval_ms);
        return 0;
      },
    });
    await connection.open();
    expect(seen).toEqual([0]);
  });

  it('runs prepare on every link before it counts as up (resubscribe), and retries a link whose prepare fails', async () => {
    const hub = await testHub();
    let failNext = false;
    const order: string[] = [];
    const { connection, trace } = connect(hub, 'client', clientHello, {
      prepare: async (session: HubSession<'client'>) => {
        order.push('prepare');
        await session.peer.request('watch.subscribe', {});
        if (failNext) {
          failNext = false;
          throw new Error('resubscribe failed');
        }
      },
      onUp: () => void order.push('up'),
      onRetry: (err) => void trace.retries.push(err),
    });
    await connection.open();
    expect(order).toEqual(['prepare', 'up']);
    failNext = true;
    hub.drop();
    await waitFor(() => order.filter((o) => o === 'up').length === 2);
    expect(order).toEqual(['prepare', 'up', 'prepare', 'prepare', 'up']);
    expect(trace.retries.map((e) => e.message)).toEqual(['resubscribe failed']);
    expect(hub.subscribes).toBe(3);
  });

  it('stops on a failure the caller calls fatal, and whenUp() then says no link will come', async () => {
    const hub = await testHub();
    hub.refuse = 'UNAUTHORIZED';
    const { connection, trace } = connect(hub, 'client', clientHello, {
      isFatal: (err, phase) => phase === 'first' && HubError.from(err) !== undefined,
    });
    connection.start();
    await expect(connection.whenUp()).resolves.toBeUndefined();
    expect(trace.gaveUp).toHaveLength(1);
    expect(HubError.from(connection.fatal)?.hubCode).toBe('UNAUTHORIZED');
    expect(hub.hellos).toHaveLength(1);
  });

  it('does not redial when told not to, and close() ends dialing in progress', async () => {
    const hub = await testHub();
    const once = connect(hub, 'client', clientHello, { redial: false });
    await once.connection.open();
    hub.drop();
    await waitFor(() => once.trace.downs === 1);
    await expect(once.connection.whenUp()).resolves.toBeUndefined();
    expect(once.connection.dialing).toBe(false);

    await hub.stop();
    const closing = connect(hub, 'client', clientHello, { backoff: { initial_ms: 60_000, max_ms: 60_000 } });
    closing.connection.start();
    await waitFor(() => closing.trace.retries.length === 1);
    await closing.connection.close(); // cuts the minute-long wait short
    expect(closing.connection.dialing).toBe(false);
    await expect(closing.connection.whenUp()).resolves.toBeUndefined();
  });

  it('given several hubs, starts on the first and fails over to the next after a loss, and back', async () => {
    const a = await testHub();
    const b = await testHub();
    const { connection, trace } = connect(a, 'client', clientHello, { url: [a.url, b.url] });
    await connection.open();
    expect(connection.url).toBe(a.url);
    expect(a.hellos).toHaveLength(1);
    await a.stop(); // a dies: the redial goes to b
    await waitFor(() => trace.ups.length === 2);
    expect(connection.url).toBe(b.url);
    expect(b.hellos).toHaveLength(1);
    await a.start();
    b.drop(); // a lost link moves on even when that hub is still up: round robin
    await waitFor(() => trace.ups.length === 3);
    expect(connection.url).toBe(a.url);
    expect(a.hellos).toHaveLength(2);
    expect(trace.downs).toBe(2);
  });

  it('start() moves down the list on each failed dial, with the backoff between', async () => {
    const dead = await testHub();
    await dead.stop();
    const alive = await testHub();
    const { connection, trace } = connect(dead, 'agent', agentHello, { url: [dead.url, alive.url] });
    connection.start();
    await waitFor(() => trace.ups.length === 1);
    expect(trace.retries.map((e) => e.message)).toEqual([expect.stringContaining(`cannot reach the hub at ${dead.url}`)]);
    expect(connection.url).toBe(alive.url);
    expect(connection.urls).toEqual([dead.url, alive.url]);
  });

  it('open() tries each hub once: the first that answers, else every failure in one error', async () => {
    const dead = await testHub();
    await dead.stop();
    const alive = await testHub();
    const one = connect(dead, 'client', clientHello, { url: [dead.url, alive.url] });
    await one.connection.open();
    expect(one.connection.url).toBe(alive.url);
    await alive.stop();
    const none = connect(dead, 'client', clientHello, { url: [dead.url, alive.url] });
    const err = (await none.connection.open().catch((e: Error) => e)) as Error;
    expect(err.message).toMatch(/^cannot reach any of the 2 hubs: cannot reach the hub at ws:.*; cannot reach the hub at ws:/);
    expect(none.connection.dialing).toBe(false);
    // A refusal is the hub's answer, and a fatal one ends the attempt at once.
    await alive.start();
    alive.refuse = 'UNAUTHORIZED';
    const refused = connect(alive, 'client', clientHello, { url: [alive.url, dead.url], isFatal: (e) => HubError.from(e)?.hubCode === 'UNAUTHORIZED' });
    await expect(refused.connection.open()).rejects.toMatchObject({ hubCode: 'UNAUTHORIZED' });
    const tolerant = connect(dead, 'client', clientHello, { url: [dead.url, alive.url] });
    await expect(tolerant.connection.open()).rejects.toMatchObject({ hubCode: 'UNAUTHORIZED' });
  });

  it('refuses a bad hub list up front', () => {
    expect(() => connect({ url: '' } as TestHub, 'client', clientHello, { url: ['ws://a/', 'ws://a/'] })).toThrow(/is listed twice/);
    expect(() => connect({ url: '' } as TestHub, 'client', clientHello, { url: [] })).toThrow(/expected at least one hub URL/);
  });
});
