import { readFileSync } from 'node:fs';
import { Peer, WebSocketTransport } from '@imsg-hub/jsonrpc';
import { startHubProcess, type HubProcess } from '@imsg-hub/testkit';
import WebSocket from 'ws';

// Raw sockets against a real hub process, for tests that misbehave on purpose.

/** A hub child with `limits` merged into its config; its log at `logLevel` (stderr lines are counted). */
export async function hubWithLimits(dir: string, limits: Record<string, unknown> = {}, logLevel = 'warn'): Promise<HubProcess> {
  return startHubProcess({ dir, config: { limits }, env: { ...process.env, LOG_LEVEL: logLevel } });
}

/** Resident memory of a process, in MiB (Linux). */
export function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
}

export async function openSocket(url: string): Promise<WebSocket> {
  const socket = new WebSocket(url, { maxPayload: 256 * 1024 * 1024 });
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  return socket;
}

/** Resolves with the close code once the socket closes (1006 when it was cut). */
export function closed(socket: WebSocket): Promise<number> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve(1006);
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}

/** A Peer on a fresh socket, after a successful hello. */
export async function helloPeer(url: string, hello: Record<string, unknown>): Promise<{ socket: WebSocket; peer: Peer }> {
  const socket = await openSocket(url);
  const peer = new Peer(new WebSocketTransport(socket), { defaultTimeoutMs: 30_000 });
  await peer.request('hello', { protocol: 1, ...hello });
  return { socket, peer };
}

export const agentHello = (token: string, accounts: string[], id = 'test-agent') => ({ role: 'agent', token, agent: { id, version: '0' }, accounts });
export const clientHello = (token: string) => ({ role: 'client', token, client: { name: 'hardening-test' } });

/** A message row as an agent forwards it. */
export function row(rowid: number, text = `message ${rowid}`, extra: Record<string, unknown> = {}) {
  return {
    rowid,
    message: {
      id: rowid,
      chat_id: 1,
      guid: `guid-${rowid}-${Math.random().toString(36).slice(2, 10)}`,
      sender: '+15551230000',
      is_from_me: false,
      text,
      created_at: new Date().toISOString(),
      attachments: [],
      reactions: [],
      chat_identifier: '+15551230000',
      chat_guid: 'iMessage;-;+15551230000',
      chat_name: '',
      participants: ['+15551230000'],
      is_group: false,
      ...extra,
    },
  };
}

/** `{"k":{"k":…"leaf"…}}`, `levels` deep, as text (built without recursion). */
export function deepJsonText(levels: number): string {
  return '{"k":'.repeat(levels) + '"leaf"' + '}'.repeat(levels);
}

/** Calls `call` every `everyMs` until `stop()`; counts answers and failures (no timing asserted). */
export function steadyCaller(call: () => Promise<unknown>, everyMs = 50) {
  let ok = 0;
  const failures: unknown[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      try {
        await call();
        ok++;
      } catch (err) {
        failures.push(err);
      }
      await new Promise((r) => setTimeout(r, everyMs));
    }
  })();
  return {
    get ok() {
      return ok;
    },
    failures,
    async stop() {
      running = false;
      await done;
    },
  };
}
