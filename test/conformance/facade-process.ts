// Spawns `imsg-hub rpc` (and its other subcommands) exactly as OpenClaw does: the built bin as a
// child, no shell, talking JSON lines on stdio, configured through the environment like a wrapper.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { ImsgClient } from '@imsg-hub/imsg-protocol';
import { LineStreamTransport } from '@imsg-hub/jsonrpc';
import { binPath, spawnLineProcess, type LineProcess } from '@imsg-hub/testkit';

export interface FacadeEnv {
  hubUrl: string;
  token: string;
  /** Per-account mode. */
  account?: string;
  /** XDG_CACHE_HOME for the attachment cache. */
  cacheHome: string;
  /** The imsg the facade plays (default: its own default, 0.15.10). */
  imsgVersion?: '0.15.10' | '0.9.0';
}

export function facadeEnv(f: FacadeEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    IMSG_HUB_URL: f.hubUrl,
    IMSG_HUB_TOKEN: f.token,
    XDG_CACHE_HOME: f.cacheHome,
    ...(f.account ? { IMSG_HUB_ACCOUNT: f.account } : {}),
    ...(f.imsgVersion ? { IMSG_HUB_IMSG_VERSION: f.imsgVersion } : {}),
  };
}

/** `imsg-hub <args>` as a line process. */
export function spawnImsgHub(args: readonly string[], env: NodeJS.ProcessEnv): LineProcess {
  return spawnLineProcess(process.execPath, [binPath('imsg-hub'), ...args], { env, timeoutMs: 15_000 });
}

/** `imsg-hub rpc` the way OpenClaw starts its imsg: `rpc --json --db <path>`. */
export function spawnFacade(f: FacadeEnv): LineProcess {
  return spawnImsgHub(['rpc', '--json', '--db', '/nonexistent/chat.db'], facadeEnv(f));
}

/** An imsg client the way OpenClaw runs one: `imsg-hub rpc` as a child, JSON lines on its stdio. */
export interface FacadeClient extends AsyncDisposable {
  readonly imsg: ImsgClient;
  readonly child: ChildProcessWithoutNullStreams;
  /** Exit code once stdin has ended. */
  readonly exited: Promise<number | null>;
  stderr(): string;
  /** Ends stdin, as OpenClaw's `stop()` does, and waits for the exit code. */
  stop(): Promise<number | null>;
}

/**
 * Starts `imsg-hub rpc --json`, or `<wrapper> rpc --json` when given the path of a wrapper script
 * (what OpenClaw's cliPath names), and wraps its stdio in imsg's client.
 */
export function openFacadeClient(env: NodeJS.ProcessEnv, wrapper?: string): FacadeClient {
  const child = wrapper
    ? spawn(wrapper, ['rpc', '--json'], { env, stdio: 'pipe' })
    : spawn(process.execPath, [binPath('imsg-hub'), 'rpc', '--json'], { env, stdio: 'pipe' });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const imsg = new ImsgClient(new LineStreamTransport(child.stdout, child.stdin), { defaultTimeoutMs: 10_000 });
  return {
    imsg,
    child,
    exited,
    stderr: () => stderr,
    stop: async () => {
      child.stdin.end();
      return exited;
    },
    async [Symbol.asyncDispose]() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
