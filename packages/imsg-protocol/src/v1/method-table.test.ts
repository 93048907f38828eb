import { expect, test } from 'vitest';
import { IMSG_V1_METHOD_DESCRIPTORS, IMSG_V1_METHODS, laneOf, usableMethods, type BridgeReadiness } from './method-table.js';

const noBridge: BridgeReadiness = { eventPathUsable: false, selectors: {} };
const bridge = (selectors: Record<string, boolean>): BridgeReadiness => ({
  bridgeVersion: 2,
  v2Ready: true,
  registryAvailable: true,
  eventPathUsable: true,
  selectors,
});
const ready = { ready: true, features: { scheduled_messages: true, balloon_payloads: true, reactions: true } };

test('the method list is the descriptors’ names, aliases together', () => {
  expect(IMSG_V1_METHOD_DESCRIPTORS.flatMap((d) => d.names)).toEqual([...IMSG_V1_METHODS]);
  expect(laneOf('status')).toBe('read');
  expect(laneOf('send')).toBe('mutation');
  expect(laneOf('watch.unsubscribe')).toBe('control');
  expect(laneOf('no.such')).toBe('control');
  expect(laneOf(undefined)).toBe('control');
});

test('gating as RPCStatusTests asserts: db and bridge down, db only, bridge only', () => {
  const down = usableMethods({ ready: false }, noBridge);
  expect(down).toEqual(expect.arrayContaining(['initialize', 'status', 'watch.unsubscribe', 'send', 'typing', 'read']));
  expect(down).not.toContain('chats.list');
  expect(down.some((m) => m.startsWith('group.'))).toBe(false);
  expect(usableMethods(ready, noBridge)).toEqual(expect.arrayContaining(['chats.list', 'chats.get', 'messages.after', 'watch.subscribe']));
  const all = Object.fromEntries(
    ['setDisplayName', 'pollPayloadMessage', 'sendMultipart', 'stickerSend', 'clientMessageGuidReservation', 'pollVoteMessage'].map((s) => [s, true]),
  );
  const bridgeOnly = usableMethods({ ready: false }, bridge(all));
  expect(bridgeOnly).toEqual(expect.arrayContaining(['group.rename', 'poll.send', 'messages.poll.send']));
  for (const m of ['send.multipart', 'send.sticker', 'send.tracked', 'poll.vote']) expect(bridgeOnly).not.toContain(m);
  expect(usableMethods(ready, bridge(all))).toEqual(expect.arrayContaining(['send.tracked', 'send.multipart', 'poll.vote', 'messages.poll.vote']));
  expect(usableMethods(ready, { ...bridge(all), registryAvailable: false })).not.toContain('group.rename');
});
