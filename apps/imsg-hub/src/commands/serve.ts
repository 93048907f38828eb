import { type HubConfig, Hub, startHubServer } from '@imsg-hub/hub';
import { createLogger } from '@imsg-hub/logger';
import type { Command } from 'commander';
import { fail } from '../fail.js';
import { openHubStore } from '../hub-store.js';
import { resolveHubConfig, withHubOptions, type HubFlags } from '../hub-options.js';

export function registerServe(program: Command): void {
  withHubOptions(program.command('serve'))
    .description('run the hub: WebSocket API, agent links, store')
    .option('--host <host>', 'address to bind (default 127.0.0.1: loopback only)')
    .option('-p, --port <port>', 'port to bind (default 7311; 0 picks a free one)')
    .option('--cert <pem>', 'TLS certificate: serve wss://')
    .option('--key <pem>', 'TLS private key')
    .action(async (flags: HubFlags) => {
      // Everything the hub writes (store, WAL, blobs) is owner-only, whatever umask it was started with.
      process.umask(0o077);
      // Buffered: the hub logs on its hot path; `log.flush()` runs before exit.
      const log = createLogger('imsg-hub', { sync: false });
      let config: HubConfig;
      try {
        config = resolveHubConfig(flags);
      } catch (err) {
        fail(err);
      }
      const store = await openHubStore(config, { serving: true }).catch((err: Error) =>
        fail(config.store.kind === 'postgres' ? err : new Error(`cannot open the hub store in ${config.data_dir}: ${err.message}`)),
      );
      const hub = await Hub.open({ config, log, store });
      const server = await startHubServer(hub, { host: config.listen.host, port: config.listen.port, tls: config.tls }).catch((err: Error) =>
        fail(new Error(`cannot listen on ${config.listen.host}:${config.listen.port}: ${err.message}`)),
      );
      hub.outbox.start();
      let stopping = false;
      const stop = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log.info({ signal }, 'shutting down');
        await server.close();
        await hub.close();
        log.flush();
        process.exit(0);
      };
      process.on('SIGINT', () => void stop('SIGINT'));
      process.on('SIGTERM', () => void stop('SIGTERM'));
      log.info({ url: server.url, dataDir: config.data_dir }, 'hub listening');
      // One machine-readable line on stdout so scripts and tests can find the port. Written after
      // the signal handlers: whoever reads it may stop the hub at once and gets a clean shutdown.
      process.stdout.write(JSON.stringify({ listening: server.url, http: server.httpUrl, pid: process.pid }) + '\n');
    });
}
