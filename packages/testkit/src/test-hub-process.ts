import { HubProcess as FleetHubProcess, type HubProcessOptions as FleetHubProcessOptions } from '@imsg-hub/fleet';
import { type PostgresServer, startPostgres } from './postgres-server.js';

export interface HubProcessOptions extends Omit<FleetHubProcessOptions, 'store'> {
  /**
   * The hub's store: `sqlite` (hub.db in its data dir), `postgres` (a throwaway PostgreSQL server of
   * its own, kept across restarts), or `{ url }` (a database shared with other hubs). Default: env
   * IMSG_TEST_STORE (`sqlite` or `postgres`), so every end-to-end test can run on either.
   */
  store?: 'sqlite' | 'postgres' | { url: string };
}

/** The store end-to-end tests run on: env IMSG_TEST_STORE=postgres switches every hub process to PostgreSQL. */
export function testStoreKind(): 'sqlite' | 'postgres' {
  const kind = process.env['IMSG_TEST_STORE'] ?? 'sqlite';
  if (kind !== 'sqlite' && kind !== 'postgres') throw new Error(`IMSG_TEST_STORE must be sqlite or postgres, not "${kind}"`);
  return kind;
}

/** The fleet's hub process, on the store a test asks for (a PostgreSQL server of its own if need be). */
export class HubProcess extends FleetHubProcess {
  readonly #wantsPostgres: boolean;
  #postgres: PostgresServer | undefined;

  constructor(options: HubProcessOptions) {
    const { store = testStoreKind(), ...rest } = options;
    super({ ...rest, ...(typeof store === 'object' ? { store } : {}) });
    this.#wantsPostgres = store === 'postgres';
  }

  override async start(): Promise<void> {
    await this.#ensureStore();
    await super.start();
  }

  override async token(role: 'agent' | 'client', accounts: string[] | '*', label?: string): Promise<string> {
    await this.#ensureStore();
    return super.token(role, accounts, label);
  }

  override async cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string; code: number }> {
    await this.#ensureStore();
    return super.cli(args, env);
  }

  override async [Symbol.asyncDispose](): Promise<void> {
    await super[Symbol.asyncDispose]();
    await this.#postgres?.close();
    this.#postgres = undefined;
  }

  async #ensureStore(): Promise<void> {
    if (!this.#wantsPostgres || this.#postgres) return;
    this.#postgres = await startPostgres();
    this.useStore(await this.#postgres.createDatabase('imsg_hub'));
  }
}

/** Starts a hub process in `dir` (and its PostgreSQL server when it has one). */
export async function startHubProcess(options: HubProcessOptions): Promise<HubProcess> {
  const hub = new HubProcess(options);
  try {
    await hub.start();
  } catch (err) {
    await hub[Symbol.asyncDispose]();
    throw err;
  }
  return hub;
}
