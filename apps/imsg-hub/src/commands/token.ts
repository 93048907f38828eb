import { createToken } from '@imsg-hub/hub';
import type { Store } from '@imsg-hub/store';
import type { Command } from 'commander';
import { fail } from '../fail.js';
import { resolveHubConfig, withHubOptions, type HubFlags } from '../hub-options.js';
import { openHubStore } from '../hub-store.js';

function openStore(flags: HubFlags): Promise<Store> {
  return openHubStore(resolveHubConfig(flags));
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
        const accounts =
          flags.accounts.trim() === '*'
            ? '*'
            : flags.accounts
                .split(',')
                .map((a) => a.trim())
                .filter(Boolean);
        if (accounts !== '*' && accounts.length === 0) throw new Error('--accounts needs at least one account name, or "*"');
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
