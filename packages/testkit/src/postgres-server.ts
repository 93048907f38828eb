import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from '@imsg-hub/fleet';

const run = promisify(execFile);
const PG_ROOT = '/usr/lib/postgresql';
/** The superuser initdb creates; every connection authenticates as it (trust, loopback only). */
const SUPERUSER = 'postgres';
/** The system user the server runs as when we are root (PostgreSQL refuses to run as root). */
const DEFAULT_OS_USER = 'postgres';
const FALLBACK_OS_USER = 'imsg-pg';

/** A throwaway PostgreSQL cluster on 127.0.0.1, in a temp dir, as an unprivileged user. */
export interface PostgresServer extends AsyncDisposable {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly pid: number;
  /** The data directory (removed on close). */
  readonly dataDir: string;
  /** `postgres://postgres@127.0.0.1:<port>/<database>`. */
  url(database?: string): string;
  /** Creates a fresh, empty database and returns its URL. */
  createDatabase(name?: string): Promise<string>;
  /** What the server logged so far, for failure messages. */
  log(): string;
  /** Stops the server (fast shutdown) and removes its files. */
  close(): Promise<void>;
}

export interface PostgresServerOptions {
  /** fsync every commit like a production server (benchmarks); tests default to off: faster, same semantics. */
  durable?: boolean;
  /** Give up starting after this long. */
  startTimeoutMs?: number;
}

/** The newest installed server's bin directory (env IMSG_TEST_PG_BIN overrides), or undefined. */
export function postgresBinDir(): string | undefined {
  const forced = process.env['IMSG_TEST_PG_BIN'];
  if (forced) return existsSync(join(forced, 'postgres')) ? forced : undefined;
  if (!existsSync(PG_ROOT)) return undefined;
  const versions = readdirSync(PG_ROOT)
    .filter((v) => /^\d+$/.test(v) && existsSync(join(PG_ROOT, v, 'bin', 'postgres')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] && join(PG_ROOT, versions[0], 'bin');
}

/** True when a PostgreSQL server can be started here (under CI it must be: see requirePostgres). */
export function postgresAvailable(): boolean {
  return postgresBinDir() !== undefined;
}

const installHint = 'install it (apt-get install postgresql, or bash scripts/setup.sh as root) to run the PostgreSQL tests';

/** Starts a cluster: initdb in a temp dir, then `postgres` on a free loopback port; resolves once it accepts connections. */
export async function startPostgres(options: PostgresServerOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`PostgreSQL server binaries not found under ${PG_ROOT}: ${installHint}`);
  const owner = await serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'imsg-pg-'));
  const dataDir = join(dir, 'data');
  try {
    if (owner) chownSync(dir, owner.uid, owner.gid);
    const ids = owner ? { uid: owner.uid, gid: owner.gid } : {};
    await run(
      join(bin, 'initdb'),
      ['-D', dataDir, '--auth=trust', `--username=${SUPERUSER}`, '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync', '--no-instructions'],
      { ...ids, cwd: dir, env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', LC_ALL: 'C.UTF-8' } },
    ).catch((err: Error & { stderr?: string }) => {
      throw new Error(`initdb failed: ${err.stderr?.trim() || err.message}`);
    });
    const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
    // A port found free may be taken before the server binds it: try a few.
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const started = await launch(bin, dataDir, port, dir, ids, options.durable === true, deadline).catch((err: Error) => {
        if (attempt >= 5 || Date.now() > deadline) throw err;
        return undefined;
      });
      if (!started) continue;
      const url = (database = SUPERUSER) => `postgres://${SUPERUSER}@127.0.0.1:${port}/${database}`;
      let databases = 0;
      const server: PostgresServer = {
        host: '127.0.0.1',
        port,
        pid: started.child.pid!,
        dataDir,
        url,
        async createDatabase(name = `db_${process.pid}_${++databases}`) {
          if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`database name ${name} must be lower-case letters, digits and _`);
          await withClient(url(), (c) => c.query(`CREATE DATABASE ${name}`));
          return url(name);
        },
        log: started.log,
        async close() {
          await started.stop();
          rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
        },
        [Symbol.asyncDispose]: () => server.close(),
      };
      return server;
    }
  } catch (err) {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
    throw err;
  }
}

/** Runs `fn` with one connection to `url`, then closes it. */
export async function withClient<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

// Servers still running when this process exits (a test that forgot to close): stop them so no
// postmaster outlives the test run.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGQUIT');
});

async function launch(
  bin: string,
  dataDir: string,
  port: number,
  cwd: string,
  ids: { uid?: number; gid?: number },
  durable: boolean,
  deadline: number,
): Promise<{ child: ChildProcess; stop: () => Promise<void>; log: () => string }> {
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: '',
    max_connections: '100',
    shared_buffers: '32MB',
    logging_collector: 'off',
    log_min_messages: 'warning',
    ...(durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
  };
  const args = ['-D', dataDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const child = spawn(join(bin, 'postgres'), args, { ...ids, cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { LC_ALL: 'C.UTF-8' } });
  running.add(child);
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-20_000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      running.delete(child);
      resolve();
    }),
  );
  child.once('error', (err) => {
    log += `\n${err.message}`;
  });
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill('SIGINT'); // fast shutdown: roll back open transactions, disconnect clients
    const quit = setTimeout(() => child.kill('SIGQUIT'), 5000);
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exit;
    clearTimeout(quit);
    clearTimeout(kill);
  };
  for (;;) {
    if (exited) throw new Error(`postgres did not start on 127.0.0.1:${port}: ${log.trim() || 'no output'}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`postgres did not accept connections on 127.0.0.1:${port} in time: ${log.trim() || 'no output'}`);
    }
    const ready = await withClient(`postgres://${SUPERUSER}@127.0.0.1:${port}/${SUPERUSER}`, async () => true).catch(() => false);
    if (ready) return { child, stop, log: () => log };
    await sleep(50);
  }
}

/**
 * Who the server runs as: nobody in particular when we are not root; as root, the `postgres`
 * system user (Debian's package creates it), else a system user created once for the purpose.
 */
async function serverUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const name = process.env['IMSG_TEST_PG_USER'] ?? DEFAULT_OS_USER;
  const found = (await lookupUser(name)) ?? (await lookupUser(FALLBACK_OS_USER));
  if (found) return found;
  await run('useradd', ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', FALLBACK_OS_USER]).catch(() => undefined);
  const created = await lookupUser(FALLBACK_OS_USER); // another test may have created it meanwhile
  if (!created) throw new Error(`no unprivileged user to run PostgreSQL as: create one (useradd --system ${FALLBACK_OS_USER}) or set IMSG_TEST_PG_USER`);
  return created;
}

async function lookupUser(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const uid = Number((await run('id', ['-u', name])).stdout.trim());
    const gid = Number((await run('id', ['-g', name])).stdout.trim());
    return Number.isInteger(uid) && uid > 0 ? { uid, gid } : undefined;
  } catch {
    return undefined;
  }
}
