import { createServer, connect, type AddressInfo, type Socket } from 'node:net';

/** A loopback TCP proxy whose connections a test can cut, to break a WebSocket mid-stream. */
export interface TcpProxy extends AsyncDisposable {
  readonly port: number;
  /** Destroys every open connection (both directions); new connections are still accepted. */
  cut(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number | (() => number)): Promise<TcpProxy> {
  const open = new Set<Socket>();
  const target = typeof targetPort === 'function' ? targetPort : () => targetPort;
  const server = createServer((client) => {
    const upstream = connect(target(), '127.0.0.1');
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = async () => {
    for (const s of open) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    port: (server.address() as AddressInfo).port,
    cut() {
      const n = open.size / 2;
      for (const s of [...open]) s.destroy();
      open.clear();
      return n;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
