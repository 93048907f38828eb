import { permissionDeniedText, StartupErrorBackend, type ImsgBackend } from '@imsg-hub/imsg-protocol';
import { ChatDbReader } from './chat-db-reader.js';
import { SimBackend } from './sim-backend.js';
import { SimWorld } from './world.js';

export interface OpenBackendOptions {
  dbPath: string;
  /** World file overriding the db's own meta (flag `--world` or env IMSG_SIM_WORLD). */
  worldFile?: string | undefined;
  pollMs?: number | undefined;
  pace?: 'imsg' | 'drain' | undefined;
}

/** A backend plus the exit status imsg uses after stdin EOF (1 in startup-error mode, §1.5). */
export interface OpenedBackend {
  backend: ImsgBackend;
  exitCode: number;
  /** Why the db could not be used, in startup-error mode. */
  startupError?: string;
}

// MessageStore.enhance maps these SQLite texts to the permission banner.
const PERMISSION_LIKE = /unable to open database|cannot open|authorization denied|out of memory \(14\)/i;

/** Opens the chat.db like `imsg rpc` does; any failure yields startup-error mode, never a throw. */
export function openSimBackend(options: OpenBackendOptions): OpenedBackend {
  let reader: ChatDbReader | undefined;
  try {
    reader = new ChatDbReader(options.dbPath);
    const { world, account } = SimWorld.forDb(options.dbPath, options.worldFile);
    const backend = new SimBackend({
      reader,
      world,
      account,
      ...(options.pollMs ? { pollMs: options.pollMs } : {}),
      ...(options.pace ? { pace: options.pace } : {}),
    });
    return { backend, exitCode: 0 };
  } catch (err) {
    reader?.close();
    const detail = err instanceof Error ? err.message : String(err);
    const text = PERMISSION_LIKE.test(detail) ? permissionDeniedText(options.dbPath, detail) : detail;
    return { backend: new StartupErrorBackend(text), exitCode: 1, startupError: text };
  }
}
