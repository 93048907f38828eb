import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { fail } from '../fail.js';
import { resolveHubConfig, withHubOptions, type HubFlags } from '../hub-options.js';

export function registerMigrate(program: Command): void {
  withHubOptions(program.command('migrate'))
    .description("copy this hub's SQLite store into PostgreSQL, ids kept (safe to run again)")
    .requiredOption('--to <url>', 'the PostgreSQL database: postgres://user:password@host:5432/db')
    .option('--json', 'print the summary as JSON')
    .action(async (flags: HubFlags & { to: string; json?: boolean }) => {
      try {
        if (!/^postgres(ql)?:\/\//.test(flags.to)) throw new Error('--to must be a PostgreSQL URL: postgres://user:password@host:5432/db');
        // The source is always the SQLite file in data_dir, whatever store the config names now.
        const dataDir = resolveHubConfig({ ...flags, dataDir: flags.dataDir }).data_dir;
        const source = join(dataDir, 'hub.db');
        const [{ PostgresStore, copySqliteToPostgres }, { blobFiles }] = await Promise.all([import('@imsg-hub/store/open'), import('@imsg-hub/hub')]);
        const target = await PostgresStore.open(flags.to);
        let counts: Record<string, number>;
        try {
          let last = '';
          counts = await copySqliteToPostgres(source, target.pool, ({ table, copied, total }) => {
            const line = `${table}: ${copied}/${total}`;
            if (line !== last && (copied === total || copied % 10_000 === 0)) process.stderr.write(`migrate: ${line}\n`);
            last = line;
          });
          // The attachments too, so every hub on the database can serve them (bytes already there are not sent again).
          let blobs = 0;
          for await (const f of blobFiles(join(dataDir, 'blobs'))) {
            await target.sharedBlobs.put(f.sha256, readFileSync(f.path), Math.floor(f.mtimeMs));
            if (++blobs % 1000 === 0) process.stderr.write(`migrate: blobs: ${blobs}\n`);
          }
          counts['blobs'] = blobs;
        } finally {
          await target.close();
        }
        if (flags.json) process.stdout.write(JSON.stringify({ from: source, copied: counts }) + '\n');
        else
          process.stdout.write(
            `copied ${source} to PostgreSQL: ${Object.entries(counts)
              .map(([t, n]) => `${n} ${t}`)
              .join(
                ', ',
              )}\nnext: set store: { "kind": "postgres", "url": ... } (or IMSG_HUB_STORE_URL) and start the hub; run this again after stopping a hub that kept writing to SQLite\n`,
          );
      } catch (err) {
        fail(err);
      }
    });
}
