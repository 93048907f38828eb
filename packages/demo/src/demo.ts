import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatAccount, formatMessage, formatSend, HubClient } from '@imsg-hub/hub-client';
import type { HubMessage, SendOutcome } from '@imsg-hub/hub-protocol';
import { SimWorld } from '@imsg-hub/sim';
import { AgentProcess, HubProcess, simAttachmentsRoot, simSource, startSshd, type SshdServer } from '@imsg-hub/fleet';
import { DEMO_ACCOUNTS, PEOPLE, PHOTO_PNG, SCENARIO } from './scenario.js';

export interface DemoOptions {
  /** State directory (wiped at start, kept at the end for inspection). */
  dir: string;
  /** Where lines for the reader go. */
  out: (line: string) => void;
  /** Reach the `work` account over a real SSH exec channel: auto = when sshd is installed. */
  ssh: 'auto' | 'yes' | 'no';
  /** Pause between conversation steps (ms). */
  paceMs?: number;
  signal?: AbortSignal;
  /**
   * Keep hub, agents and simulated Macs running after the scenario, print what to try next, and
   * stop when `signal` aborts. `cli` is how to run imsg-hub here (for the printed commands).
   */
  stay?: { cli: string; simCli: string } | undefined;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * The whole product in one run: a world of three simulated Apple IDs, a hub, one agent per account
 * (one over SSH when sshd is available), a conversation arriving, the merged stream printed, and
 * replies that leave through the identity each route picks. Real processes throughout.
 */
export async function runDemo(o: DemoOptions): Promise<{ messages: HubMessage[]; sends: SendOutcome[] }> {
  const started = Date.now();
  const { out, signal } = o;
  const pace = o.paceMs ?? 350;
  rmSync(o.dir, { recursive: true, force: true });
  mkdirSync(o.dir, { recursive: true });
  const cleanup: (() => Promise<void> | void)[] = [];
  const messages: HubMessage[] = [];
  const sends: SendOutcome[] = [];
  try {
    out('▸ A world of three simulated Apple IDs (each its own chat.db, Apple’s schema):');
    const world = SimWorld.create(
      { version: 1, accounts: DEMO_ACCOUNTS.map((a) => ({ name: a.name, db: `${a.name}/chat.db`, handles: [...a.handles] })) },
      join(o.dir, 'world.json'),
    );
    cleanup.push(() => world.close());
    for (const a of DEMO_ACCOUNTS) out(`    ${a.name.padEnd(6)} ${a.handles.join(', ')} — ${a.label}`);

    let sshd: SshdServer | undefined;
    if (o.ssh !== 'no') {
      try {
        sshd = await startSshd();
        cleanup.push(() => sshd!.close());
      } catch (err) {
        if (o.ssh === 'yes') throw err;
        out(`    (no SSH for this run: ${(err as Error).message.split(':')[0]}; every agent runs imsg locally)`);
      }
    }

    const hub = new HubProcess({
      dir: join(o.dir, 'hub'),
      config: {
        accounts: Object.fromEntries(DEMO_ACCOUNTS.map((a) => [a.name, { handles: [...a.handles] }])),
        routes: [{ match: { handle: '*@corp.example' }, account: 'work' }],
        default_account: 'alice',
      },
      env: { ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'error' },
    });
    await hub.start();
    cleanup.push(() => hub.stop());
    out(`▸ Hub listening on ${hub.url} (SQLite store in ${join(hub.dataDir, 'hub.db')})`);

    for (const a of DEMO_ACCOUNTS) {
      const db = world.info(a.name).dbPath;
      const viaSsh = a.name === 'work' && sshd !== undefined;
      const source = simSource(db, { sshd: viaSsh ? sshd : undefined });
      const agent = new AgentProcess({
        dir: join(o.dir, `agent-${a.name}`),
        hubUrl: hub.url,
        token: await hub.token('agent', [a.name], `${a.name}'s Mac`),
        accounts: [{ name: a.name, source, attachments_root: simAttachmentsRoot(db) }],
        config: { debounce_ms: 50 },
        env: { ...process.env, LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'error' },
      });
      agent.start();
      cleanup.push(() => agent.stop());
      out(
        `▸ Agent for ${a.name}: ${viaSsh ? `imsg over SSH to 127.0.0.1:${sshd!.port}, host key pinned (${sshd!.hostKeyFingerprint.slice(0, 20)}…)` : 'imsg as a local child process'}`,
      );
    }

    const clientToken = await hub.token('client', '*', 'demo');
    const client = await HubClient.connect({ url: hub.url, token: clientToken, name: 'demo', reconnect: true });
    cleanup.push(() => client.close());
    for (let i = 0; i < 100 && !signal?.aborted; i++) {
      const { accounts } = await client.call('accounts.list', {});
      if (accounts.length === DEMO_ACCOUNTS.length && accounts.every((a) => a.agent.connected)) break;
      await sleep(100, signal);
    }
    const textOf = (guid: string) => messages.find((m) => m.guid === guid)?.text;
    await client.watch({ since: 0 }, (m) => {
      messages.push(m);
      out('  ' + formatMessage(m, textOf));
    });

    out('');
    out('▸ Messages arrive on the Macs; the hub merges them into one stream, tagged by account:');
    const photo = join(o.dir, 'cake.png');
    writeFileSync(photo, PHOTO_PNG);
    const guids = new Map<string, string>();
    for (const step of SCENARIO) {
      if (signal?.aborted) break;
      const r = world.inject(step.spec(guids, { photo }));
      guids.set(step.id, r.guid);
      guids.set(`${step.id}:chat`, r.chatGuid);
      await sleep(pace, signal);
    }
    await waitUntil(() => messages.length >= SCENARIO.length, 10_000, signal);
    if (signal?.aborted) return { messages, sends };

    out('');
    out('▸ Replies: the hub picks the identity for each route (explicit, chat, rule, affinity):');
    const family = messages.find((m) => m.chat_name === 'Family')!;
    const deck = join(o.dir, 'Q3-deck.pdf');
    writeFileSync(deck, '%PDF-1.4\n% a stand-in for the Q3 deck\n');
    const upload = await client.upload(Buffer.from('%PDF-1.4\n% a stand-in for the Q3 deck\n'), 'Q3-deck.pdf');
    const replies = [
      { target: `chat_id:${family.chat_id}`, account: 'bob', text: 'I’ll bring the pie 🥧', why: 'the family group, as Bob' },
      { target: '+1 (415) 555-0911', text: 'See you at 7!', why: 'Dana: whoever last talked to her' },
      { target: PEOPLE.boss, text: 'Deck attached.', file: { sha256: upload.sha256, name: 'Q3-deck.pdf' }, why: 'a route rule: *@corp.example → work' },
      { target: PEOPLE.sam, text: 'Sure, it’s in the garage', why: 'Sam: affinity' },
    ];
    for (const r of replies) {
      if (signal?.aborted) break;
      const outcome = await client.call('send', {
        target: r.target,
        text: r.text,
        ...(r.account ? { account: r.account } : {}),
        ...(r.file ? { file: r.file } : {}),
        idempotency_key: `demo-${r.target}`,
      });
      sends.push(outcome);
      out(`    → ${r.target.padEnd(20)} ${formatSend(outcome)}   (${r.why})`);
      await sleep(pace, signal);
    }
    await waitUntil(() => messages.filter((m) => m.is_from_me).length >= sends.length, 10_000, signal);
    if (signal?.aborted) return { messages, sends };

    out('');
    out('▸ Accounts, as `imsg-hub accounts` shows them:');
    for (const a of (await client.call('accounts.list', {})).accounts) out('    ' + formatAccount(a));
    out('');
    const secs = ((Date.now() - started) / 1000).toFixed(1);
    out(
      `✓ Demo finished in ${secs} s: ${messages.length} messages merged from ${DEMO_ACCOUNTS.length} Apple IDs, ${sends.filter((s) => s.state === 'sent').length}/${sends.length} replies sent.`,
    );
    out(`  State kept in ${o.dir} (world.json, each chat.db, hub/hub-data/hub.db). Next: docs/quick-start.md`);
    if (o.stay) {
      printNextSteps(out, { dir: o.dir, hubUrl: hub.url, httpUrl: hub.httpUrl, token: clientToken, ...o.stay });
      await new Promise<void>((resolve) => {
        if (signal?.aborted) resolve();
        else signal?.addEventListener('abort', () => resolve(), { once: true });
      });
    }
    return { messages, sends };
  } finally {
    for (const c of cleanup.reverse()) await Promise.resolve(c()).catch(() => undefined);
  }
}

/** What to try while the demo stays up: every command runs as printed, from any directory. */
function printNextSteps(out: (line: string) => void, o: { dir: string; hubUrl: string; httpUrl: string; token: string; cli: string; simCli: string }): void {
  const tokenFile = join(o.dir, 'client.token');
  writeFileSync(tokenFile, `${o.token}\n`, { mode: 0o600 });
  const wrapper = join(o.dir, 'openclaw-imsg-hub');
  out('');
  out('▸ Still running. Try, in another terminal:');
  out(`    status page   ${o.httpUrl}#token=${o.token}`);
  out(`    the CLI       export IMSG_HUB_URL=${o.hubUrl} IMSG_HUB_TOKEN_FILE=${tokenFile}`);
  out(`                  ${o.cli} accounts; ${o.cli} chats; ${o.cli} tail`);
  out(`                  ${o.cli} search dinner; ${o.cli} send bob/+14155550911 --text 'hello from the hub'`);
  out(`    a message     ${o.simCli} inject --world ${join(o.dir, 'world.json')} --account alice --from +14155550911 --text 'Running late!'`);
  out(`    OpenClaw      ${o.cli} wrapper ${wrapper} --hub-url ${o.hubUrl} --token-file ${tokenFile}`);
  out(`                  then set channels.imessage.cliPath to ${wrapper} (docs/openclaw.md)`);
  out('  Ctrl-C stops everything.');
}

async function waitUntil(cond: () => boolean, ms: number, signal?: AbortSignal): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end && !signal?.aborted) await sleep(50, signal);
}
