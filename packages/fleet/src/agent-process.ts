import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { binPath } from './bin-path.js';

export interface AgentProcessOptions {
  /** Folder for the config file and the agent's state dir. */
  dir: string;
  /** The hub, or several hubs of one fleet (written as hub.urls: the agent fails over between them). */
  hubUrl: string | readonly string[];
  token: string;
  /** Accounts exactly as the agent config has them (`{name, source}`). */
  accounts: Record<string, unknown>[];
  /** Extra config keys (watchdog, debounce_ms, …). */
  config?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
}

/** A real `imsg-agent run` child; `kill()` is a kill -9 and `start()` brings it back with its state. */
export class AgentProcess implements AsyncDisposable {
  readonly dir: string;
  readonly configPath: string;
  readonly stateDir: string;
  #options: AgentProcessOptions;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  stderr = '';

  constructor(options: AgentProcessOptions) {
    this.#options = options;
    this.dir = options.dir;
    this.stateDir = join(options.dir, 'state');
    this.configPath = join(options.dir, 'agent.json');
    mkdirSync(this.stateDir, { recursive: true });
    this.writeConfig();
  }

  /** (Re)writes the config file, e.g. after the hub moved. */
  writeConfig(patch: Partial<Pick<AgentProcessOptions, 'hubUrl' | 'token'>> = {}): void {
    this.#options = { ...this.#options, ...patch };
    const o = this.#options;
    const { hub: hubExtra, ...rest } = (o.config ?? {}) as { hub?: Record<string, unknown> };
    const config = {
      agent_id: `test-${o.accounts.map((a) => a['name']).join('-')}`,
      hub: { ...(typeof o.hubUrl === 'string' ? { url: o.hubUrl } : { urls: o.hubUrl }), token: o.token, ...hubExtra },
      state_dir: this.stateDir,
      accounts: o.accounts,
      ...rest,
    };
    writeFileSync(this.configPath, JSON.stringify(config, null, 2));
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#child.exitCode === null && this.#child.signalCode === null;
  }

  /** PIDs of the agent's direct children (its local imsg processes). */
  children(): number[] {
    if (!this.running || !this.#child?.pid) return [];
    try {
      return readFileSync(`/proc/${this.#child.pid}/task/${this.#child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  }

  start(): void {
    if (this.running) return;
    const env = { ...(this.#options.env ?? process.env), LOG_LEVEL: this.#options.env?.['LOG_LEVEL'] ?? process.env['AGENT_LOG_LEVEL'] ?? 'warn' };
    const child = spawn(process.execPath, [binPath('imsg-agent'), 'run', '--config', this.configPath], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('close', () => resolve()));
    child.stderr!.on('data', (c: Buffer) => {
      this.stderr = (this.stderr + c.toString()).slice(-50_000);
    });
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.#child!.kill(signal);
    await this.#exited;
  }

  async stop(): Promise<void> {
    await this.kill('SIGTERM');
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const kids = this.children();
    await this.kill('SIGKILL');
    // A kill -9'd agent can't reap its imsg children; they exit on stdin EOF, but make sure.
    for (const pid of kids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }
}

export function startAgentProcess(options: AgentProcessOptions): AgentProcess {
  const agent = new AgentProcess(options);
  agent.start();
  return agent;
}
