import { tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// Issue 3: CLI reads for people — accounts, chats, history, tail — each with --json, as a user runs them.
describe('imsg-hub CLI reads', () => {
  it('accounts, chats, history <account>:chat_id:<n> and tail, for people and as JSON', async () => {
    await using tmp = tempDir('cli-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: ['alice@example.com'], via: 'local' },
        { name: 'bob', handles: ['bob@example.com'], via: 'local' },
      ],
    });
    const t = ['--token', fleet.clientToken];
    fleet.world.inject({ account: 'alice', from: '+14155550100', text: 'first to alice' });
    fleet.world.inject({ account: 'alice', from: '+14155550100', text: 'second to alice' });
    fleet.world.inject({ account: 'bob', from: 'sam@example.org', text: 'hello bob' });
    await waitFor(async () => (await fleet.hub.cli(['chats', '--json', ...t])).stdout.trim().split('\n').filter(Boolean).length === 2, 20_000);

    const accounts = (await fleet.hub.cli(['accounts', '--json', ...t])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { name: string; messages: number });
    expect(accounts.map((a) => [a.name, a.messages])).toEqual([
      ['alice', 2],
      ['bob', 1],
    ]);
    const people = await fleet.hub.cli(['accounts', ...t], { NO_COLOR: '1' });
    expect(people.stdout).toMatch(/^alice\s+agent=connected imsg=\w+ messages=2 cursor=1:2/m);

    const chats = (await fleet.hub.cli(['chats', '--json', ...t])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { ref: string; account: string; identifier: string });
    const aliceChat = chats.find((c) => c.account === 'alice')!;
    expect(aliceChat.ref).toMatch(/^alice:chat_id:\d+$/);
    const chatsText = await fleet.hub.cli(['chats', ...t], { NO_COLOR: '1' });
    expect(chatsText.stdout).toContain(`${aliceChat.ref}`);

    const history = await fleet.hub.cli(['history', aliceChat.ref, ...t], { NO_COLOR: '1' });
    expect(history.code, history.stderr).toBe(0);
    const lines = history.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\[alice\] .* \+14155550100: first to alice( \(replay\))?$/); // oldest first on screen
    expect(lines[1]).toContain('second to alice');
    const bad = await fleet.hub.cli(['history', 'chat 12', ...t]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('write <account>:chat_id:<n>');

    const tail = await fleet.hub.cli(['tail', '--since', '0', '--count', '3', '--json', ...t]);
    expect(tail.code, tail.stderr).toBe(0);
    const tailed = tail.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: number; account: string; text: string });
    expect(tailed.map((m) => [m.account, m.text])).toEqual([
      ['alice', 'first to alice'],
      ['alice', 'second to alice'],
      ['bob', 'hello bob'],
    ]);
    const bobOnly = await fleet.hub.cli(['tail', '--since', '0', '--count', '1', '--account', 'bob', ...t], { NO_COLOR: '1' });
    expect(bobOnly.stdout.trim()).toMatch(/^\[bob\] .*sam@example\.org: hello bob( \(replay\))?$/);
    // A long catch-up shows progress on stderr (stdout stays the stream).
    fleet.world.injectMany(Array.from({ length: 1200 }, (_, i) => ({ account: 'bob', from: 'sam@example.org', text: `bulk ${i}` })));
    await waitFor(async () => (await fleet.hub.cli(['accounts', '--json', ...t])).stdout.includes('"messages":1201'), 30_000);
    const catchUp = await fleet.hub.cli(['tail', '--since', '0', '--count', '1203', '--json', ...t]);
    expect(catchUp.stdout.trim().split('\n'), `code ${catchUp.code} stderr ${catchUp.stderr.slice(0, 2000)} hub ${fleet.hub.stderr.slice(-3000)}`).toHaveLength(
      1203,
    );
    expect(catchUp.stderr).toMatch(/catching up: \d+\/1203 \(\d+%\)/);

    const noToken = await fleet.hub.cli(['tail'], { IMSG_HUB_TOKEN: '' });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('no client token');
  }, 60_000);

  it('takes several hubs: a repeated --hub-url or a comma list, the first that answers; a bad list refused by name', async () => {
    await using tmp = tempDir('cli-hubs-');
    await using fleet = await startFleet({ dir: tmp.path, accounts: [{ name: 'alice', handles: ['alice@example.com'], via: 'local' }] });
    const t = ['--token', fleet.clientToken];
    const dead = 'ws://127.0.0.1:1/'; // nothing listens on port 1
    const repeated = await fleet.hub.cli(['accounts', '--json', '--hub-url', dead, '--hub-url', fleet.hub.url, ...t]);
    expect(repeated.code, repeated.stderr).toBe(0);
    expect(JSON.parse(repeated.stdout.trim()).name).toBe('alice');
    const listed = await fleet.hub.cli(['accounts', '--json', ...t], { IMSG_HUB_URL: `${dead},${fleet.hub.url}` });
    expect(listed.code, listed.stderr).toBe(0);
    // The facade's one-shot status too (what OpenClaw probes).
    const status = await fleet.hub.cli(['status', '--json', ...t], { IMSG_HUB_URL: `${dead},${fleet.hub.url}` });
    expect(JSON.parse(status.stdout.trim()), status.stderr).toMatchObject({ hub_url: `${dead},${fleet.hub.url}` });
    expect(status.stdout).not.toContain('cannot reach');
    const none = await fleet.hub.cli(['accounts', ...t], { IMSG_HUB_URL: `${dead},ws://127.0.0.1:2/` });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('cannot reach any of the 2 hubs');
    const bad = await fleet.hub.cli(['accounts', '--hub-url', `${fleet.hub.url},http://x/`, ...t]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('--hub-url: expected a ws:// or wss:// URL (got "http://x/")');
  }, 60_000);
});
