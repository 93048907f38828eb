import { spawn } from 'node:child_process';
import { HubClient } from '@imsg-hub/hub-client';
import type { TypingNotification } from '@imsg-hub/hub-protocol';
import { WorldActions } from '@imsg-hub/sim';
import { binPath, tempDir, waitFor } from '@imsg-hub/testkit';
import { describe, expect, it } from 'vitest';
import { startFleet } from './support/fleet.js';

// Issue 13 "Events": typing indicators from accounts whose imsg streams bridge events, through a
// real simulator (0.15 with its bridge), a real agent and a real hub, to a watching client and to
// `imsg-hub tail --typing`. Bridge events are live only (imsg never replays them), so each step
// repeats its typing event until it is seen: the agent may not have subscribed yet.

const ALICE = 'alice@example.com';
const BOB = '+14155550102';
const SAM = '+14155550999';

describe('typing indicators through real processes', () => {
  it('someone typing to one of our accounts reaches a watching client and imsg-hub tail, tagged with account and hub chat id', async () => {
    await using tmp = tempDir('typing-');
    await using fleet = await startFleet({
      dir: tmp.path,
      accounts: [
        { name: 'alice', handles: [ALICE], via: 'local' },
        { name: 'bob', handles: [BOB], via: 'local' },
        { name: 'carol', handles: ['carol@example.com'], via: 'local', simArgs: ['--bridge', 'absent'] },
      ],
    });
    const world = new WorldActions(fleet.world);
    fleet.world.inject({ account: 'alice', from: SAM, text: 'hello alice' });
    await using client = await HubClient.connect({ url: fleet.hub.url, token: fleet.clientToken, reconnect: true });
    const chat = await waitFor(async () => (await client.call('chats.list', {})).chats.find((c) => c.account === 'alice' && c.identifier === SAM), 20_000);

    const seen: TypingNotification[] = [];
    client.on('typing', (t: TypingNotification) => seen.push(t));
    const { subscription } = await client.call('watch.subscribe', { include_typing: true });
    const bobOnly = await client.call('watch.subscribe', { include_typing: true, accounts: ['bob'] });

    const tail = spawn(process.execPath, [binPath('imsg-hub'), 'tail', '--typing', '--json', '--token', fleet.clientToken], {
      env: { ...process.env, IMSG_HUB_URL: fleet.hub.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let tailOut = '';
    tail.stdout.setEncoding('utf8').on('data', (c: string) => (tailOut += c));
    const tailExit = new Promise<number | null>((resolve) => tail.on('exit', (code) => resolve(code)));
    try {
      // Sam types to alice: alice's imsg logs it; her agent forwards it; the hub names the chat.
      await waitFor(
        () => {
          world.theirTyping('alice', SAM, true);
          return seen.some((t) => t.typing) && tailOut.includes('"typing":true');
        },
        20_000,
        300,
      );
      const started = seen.find((t) => t.typing)!;
      expect(started).toMatchObject({ subscription, account: 'alice', chat_id: chat.id, chat_guid: `iMessage;-;${SAM}`, typing: true });
      expect(started.at).toMatch(/Z$/);
      const line = tailOut.split('\n').find((l) => l.includes('"typing":true'))!;
      expect(JSON.parse(line)).toMatchObject({ typing: { account: 'alice', chat_id: chat.id, typing: true } });

      await waitFor(
        () => {
          world.theirTyping('alice', SAM, false);
          return seen.some((t) => !t.typing);
        },
        10_000,
        300,
      );
      expect(seen.find((t) => !t.typing)).toMatchObject({ account: 'alice', chat_id: chat.id, typing: false });

      // bob types to alice through the hub (imsg `typing`); the world carries it to alice's Mac.
      await waitFor(
        async () => {
          await client.call('imsg.call', { account: 'bob', method: 'typing', params: { to: ALICE } });
          return seen.some((t) => t.account === 'alice' && t.chat_guid === `iMessage;-;${BOB}`);
        },
        10_000,
        300,
      );
      // A watch of bob's account alone saw none of alice's typing; a watch that did not ask saw none at all.
      expect(seen.filter((t) => t.subscription === bobOnly.subscription)).toEqual([]);
      expect(seen.every((t) => t.subscription === subscription)).toBe(true);
    } finally {
      tail.kill('SIGINT');
      expect(await tailExit).toBe(0);
    }
  }, 60_000);
});
