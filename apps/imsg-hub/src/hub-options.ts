import { resolve } from 'node:path';
import { loadHubConfig, parseHubConfig, type HubConfig } from '@imsg-hub/hub';
import type { Command } from 'commander';

export interface HubFlags {
  config?: string;
  dataDir?: string;
  host?: string;
  port?: string;
  cert?: string;
  key?: string;
}

/** Flags shared by commands that run the hub or open its store. */
export function withHubOptions(cmd: Command): Command {
  return cmd
    .option('-c, --config <file>', 'hub config file, JSON (env IMSG_HUB_CONFIG)')
    .option('-d, --data-dir <dir>', 'where the hub keeps its SQLite file and blobs (env IMSG_HUB_DATA_DIR)');
}

/** Config file → flags/env overrides, validated. */
export function resolveHubConfig(flags: HubFlags): HubConfig {
  const file = flags.config ?? process.env['IMSG_HUB_CONFIG'];
  const config = file ? loadHubConfig(file) : parseHubConfig({}, 'defaults');
  const dataDir = flags.dataDir ?? process.env['IMSG_HUB_DATA_DIR'];
  if (dataDir) config.data_dir = resolve(dataDir);
  else if (!file) config.data_dir = resolve(config.data_dir);
  const storeUrl = process.env['IMSG_HUB_STORE_URL'];
  if (storeUrl) {
    if (!/^postgres(ql)?:\/\//.test(storeUrl)) throw new Error('IMSG_HUB_STORE_URL must be a PostgreSQL URL: postgres://user:password@host:5432/database');
    config.store = { ...config.store, kind: 'postgres', url: storeUrl };
  }
  if (config.store.kind === 'postgres' && !config.store.url) {
    throw new Error('store.kind is "postgres" but no URL is given: set store.url in the config or IMSG_HUB_STORE_URL');
  }
  if (flags.host) config.listen.host = flags.host;
  if (flags.port !== undefined) {
    const port = Number(flags.port);
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${flags.port} is not a port number (0-65535)`);
    config.listen.port = port;
  }
  if (flags.cert || flags.key) {
    if (!flags.cert || !flags.key) throw new Error('TLS needs both --cert and --key');
    config.tls = { cert: resolve(flags.cert), key: resolve(flags.key) };
  }
  return config;
}
