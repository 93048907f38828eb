import { createToken } from '@imsg-hub/hub';
import { parseAccountList } from '@imsg-hub/hub-protocol';
import type { Store } from '@imsg-hub/store';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { fail } from '../fail.js';
import { resolveHubConfig, withHubOptions, type HubFlags } from '../hub-options.js';
import { openHubStore } from '../hub-store.js';

/**
 * The store of the hub the flags name. Without a config or a data directory named by flag or
 * environment, the default directory must already hold a hub's store: a token written to a fresh
 * store there would be one the running hub never sees.
 */
function openStore(flags: HubFlags): Promise<Store> {
  process.umask(0o077);
  const config = resolveHubConfig(flags);
  const named = flags.config ?? flags.dataDir ?? process.env['IMSG_HUB_CONFIG'] ?? process.env['IMSG_HUB_DATA_DIR'];
  if (config.store.kind === 'sqlite' && !named && !existsSync(join(config.data_dir, 'hub.db'))) {
    throw new Error(
      `no hub store in ${config.data_dir}: pass the running hub's --config <file> or --data-dir <dir> (or set IMSG_HUB_CONFIG / IMSG_HUB_DATA_DIR)`,
    );
  }
  return openHubStore(config);
}

export function registerToken(program: Command): void {
  const token = program.command('token').description('create, list and revoke agent and client tokens');
  withHubOptions(token.command('create'))
    .description('create a token; it is printed once and only its hash is stored')
    .requiredOption('--role <role>', "agent (publishes an account's messages) or client (reads, sends)")
    .requiredOption('--accounts <names>', 'comma-separated account names, or "*" for all')
    .option('--label <text>', 'a note to recognise the token by')
    .option('--json', 'print JSON')
    .action(async (flags: HubFlags & { role: string; accounts: string; label?: string; json?: boolean }) => {
      try {
        if (flags.role !== 'agent' && flags.role !== 'client') throw new Error(`--role must be agent or client, not "${flags.role}"`);
        let accounts: string[] | '*';
        try {
          accounts = parseAccountList(flags.accounts);
        } catch (err) {
          throw new Error(`--accounts ${(err as Error).message}`);
        }
        if (flags.role === 'agent' && accounts === '*') throw new Error('an agent token must name its accounts (e.g. --accounts alice)');
        const store = await openStore(flags);
        const { token: secret, record } = await createToken(store, flags.role, accounts, flags.label);
        await store.close();
        if (flags.json) process.stdout.write(JSON.stringify({ id: record.id, token: secret, role: record.role, accounts: record.accounts }) + '\n');
        else process.stdout.write(`${secret}\n`);
        if (!flags.json)
          process.stderr.write(
            `token ${record.id} (${record.role}, accounts ${accounts === '*' ? '*' : accounts.join(',')}) — store it now; it is not shown again\n`,
          );
      } catch (err) {
        fail(err);
      }
    });
  withHubOptions(token.command('list'))
    .description('list tokens (never their secrets)')
    .option('--json', 'print JSON lines')
    .action(async (flags: HubFlags & { json?: boolean }) => {
      try {
        const store = await openStore(flags);
        for (const t of await store.tokens()) {
          const row = { id: t.id, role: t.role, accounts: t.accounts, label: t.label, created_at: t.createdAt, revoked_at: t.revokedAt };
          process.stdout.write(
            flags.json
              ? JSON.stringify(row) + '\n'
              : `${t.id}  ${t.role.padEnd(6)}  ${(t.accounts === '*' ? '*' : t.accounts.join(',')).padEnd(20)}  ${t.revokedAt ? 'REVOKED ' + t.revokedAt : 'active'}  ${t.label ?? ''}\n`,
          );
        }
        await store.close();
      } catch (err) {
        fail(err);
      }
    });
  withHubOptions(token.command('revoke'))
    .description('revoke a token by id; connections using it are refused from the next hello')
    .argument('<id>', 'token id (from token list)')
    .action(async (id: string, flags: HubFlags) => {
      try {
        const store = await openStore(flags);
        const ok = await store.revokeToken(id, new Date().toISOString());
        await store.close();
        if (!ok) throw new Error(`no active token ${id}; see \`imsg-hub token list\``);
        process.stdout.write(`revoked ${id}\n`);
      } catch (err) {
        fail(err);
      }
    });
}
