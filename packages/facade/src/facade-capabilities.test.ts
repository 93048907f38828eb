import { IMSG_090_METHODS, type ImsgInfo } from '@imsg-hub/hub-protocol';
import { describe, expect, it } from 'vitest';
import { capabilitiesOf, FACADE_V1_METHODS, HUB_SERVED_METHODS } from './facade-capabilities.js';
import { cliStatus } from './status-v1.js';

const V015: ImsgInfo = {
  version: '0.15.10',
  protocol_version: 1,
  methods: ['send', 'typing', 'read', 'tapback', 'message.edit', 'message.unsend'],
  features: { 'tapback.emoji': 2 },
  database_ready: true,
  bridge_ready: true,
};
const ctx = { hubUrl: 'ws://127.0.0.1:7311/' };

describe('what the facade offers', () => {
  it('one 0.15 account with its bridge: every action, the selectors OpenClaw checks, emoji tapbacks', () => {
    const caps = capabilitiesOf([{ name: 'work', connected: true, info: V015 }]);
    expect(caps.bridgeReady).toBe(true);
    // Every method the facade has that this account's imsg can do (it reports only these actions).
    expect(caps.methods).toEqual(FACADE_V1_METHODS.filter((m) => HUB_SERVED_METHODS.includes(m) || V015.methods.includes(m)));
    const status = cliStatus(caps, { ...ctx, account: 'work' });
    expect(status).toMatchObject({ advanced_features: true, v2_ready: true, bridge_version: 2, typing_indicators: true, read_receipts: true });
    expect(status.selectors).toEqual({
      clientMessageGuidReservation: true,
      sendReaction: true,
      editMessage: true,
      retractMessagePart: true,
      typing: true,
      read: true,
      emojiTapbackSend: true,
    });
    expect(status.capabilities?.features).toEqual({ 'tapback.emoji': 2 });
  });

  it('group actions, rich sends and polls are offered, with their selectors, only as far as the account’s imsg has them', () => {
    const groups = [
      'send.rich',
      'send.attachment',
      'send.multipart',
      'group.rename',
      'group.setIcon',
      'group.addParticipant',
      'group.removeParticipant',
      'group.leave',
    ];
    const full = { ...V015, methods: [...V015.methods, ...groups] };
    const status = cliStatus(capabilitiesOf([{ name: 'work', connected: true, info: full }]), { ...ctx, account: 'work' });
    expect(status.rpc_methods).toEqual(expect.arrayContaining(groups));
    expect(status.rpc_methods).not.toContain('poll.send');
    expect(status.selectors).toMatchObject({ sendMessage: true, sendMultipart: true, setDisplayName: true, updateGroupPhoto: true, leaveChat: true });
    expect(status.selectors['pollPayloadMessage']).toBeUndefined();
    const polls = cliStatus(capabilitiesOf([{ name: 'work', connected: true, info: { ...full, methods: [...full.methods, 'poll.send', 'poll.vote'] } }]), ctx);
    expect(polls.rpc_methods).toEqual(expect.arrayContaining(['poll.send', 'messages.poll.send', 'poll.vote', 'messages.poll.vote']));
    expect(polls.rpc_methods).not.toContain('poll.unvote');
    expect(polls.selectors).toMatchObject({ pollPayloadMessage: true, pollVoteMessage: true });
    // Merged: only what every account can do (bob's imsg has no group actions).
    const merged = cliStatus(
      capabilitiesOf([
        { name: 'work', connected: true, info: full },
        { name: 'bob', connected: true, info: V015 },
      ]),
      ctx,
    );
    expect(merged.rpc_methods).not.toContain('group.rename');
    expect(merged.selectors['setDisplayName']).toBeUndefined();
  });

  it.each([
    [
      'imsg 0.9.0',
      { name: 'old', connected: true, info: { version: '0.9.0', methods: [...IMSG_090_METHODS], database_ready: true, bridge_ready: false } },
      /old: its imsg 0\.9\.0 has no IMCore bridge/,
    ],
    [
      'no bridge',
      { name: 'nob', connected: true, info: { ...V015, methods: ['send', 'typing', 'read'], bridge_ready: false, bridge_error: 'The bridge is not started.' } },
      /nob: The bridge is not started\. \(run imsg launch on its Mac\)/,
    ],
    ['agent offline', { name: 'off', connected: false, info: V015 }, /off: its agent is not connected/],
    ['nothing reported', { name: 'new', connected: true }, /new: its agent has not reported what its imsg can do/],
  ])('%s: bridge features off, saying why', (_what, account, why) => {
    const caps = capabilitiesOf([account]);
    expect(caps.bridgeReady).toBe(false);
    expect(caps.methods).not.toContain('tapback');
    expect(caps.methods).not.toContain('message.edit');
    expect(caps.bridgeError).toMatch(why);
    const status = cliStatus(caps, ctx);
    expect(status).toMatchObject({ advanced_features: false, v2_ready: false, bridge_version: 0 });
    expect(status.message).toMatch(why);
    expect(status.rpc_methods).toEqual(expect.arrayContaining(['chats.list', 'messages.history', 'watch.subscribe', 'send']));
  });

  it('merged: a method only when every account can, the lowest feature version, no bridge unless all have it', () => {
    const noEmoji = { ...V015, features: {} };
    const both = capabilitiesOf([
      { name: 'a', connected: true, info: V015 },
      { name: 'b', connected: true, info: noEmoji },
    ]);
    expect(both.bridgeReady).toBe(true);
    expect(both.methods).toContain('tapback');
    expect(both.features).toEqual({});
    expect(both.selectors['emojiTapbackSend']).toBeUndefined();
    const mixed = capabilitiesOf([
      { name: 'a', connected: true, info: V015 },
      { name: 'b', connected: true, info: { ...V015, methods: ['send', 'typing', 'read', 'tapback'] } },
    ]);
    expect(mixed.methods).toContain('tapback');
    expect(mixed.methods).not.toContain('message.edit');
    expect(capabilitiesOf([]).bridgeReady).toBe(false);
  });
});
