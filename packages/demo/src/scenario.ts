import type { InjectSpec } from '@imsg-hub/sim';

/** The simulated Apple IDs of the demo household. */
export const DEMO_ACCOUNTS = [
  { name: 'alice', handles: ['alice@example.com', '+14155550101'], label: 'Alice’s iPhone number + iCloud' },
  { name: 'bob', handles: ['bob@example.com'], label: 'Bob’s Apple ID' },
  { name: 'work', handles: ['work@corp.example'], label: 'the team’s shared work Apple ID' },
] as const;

export const PEOPLE = {
  dana: '+14155550911',
  mom: '+14155550912',
  sam: '+14155550913',
  boss: 'boss@corp.example',
};

/** One step of the conversation on the Macs; `after` names an earlier step whose guid it refers to. */
export interface ScenarioStep {
  id: string;
  spec: (guids: Map<string, string>, files: { photo: string }) => InjectSpec;
}

/** A realistic afternoon: DMs, a family group two of our accounts are in, a photo, a tapback, a reply, work mail. */
export const SCENARIO: ScenarioStep[] = [
  { id: 'dana-dinner', spec: () => ({ account: 'alice', from: PEOPLE.dana, text: 'Are we still on for dinner tonight?' }) },
  {
    id: 'family-dessert',
    spec: () => ({
      from: PEOPLE.mom,
      text: 'Who’s bringing dessert on Sunday?',
      group: { name: 'Family', members: ['alice@example.com', 'bob@example.com', PEOPLE.mom, PEOPLE.sam] },
    }),
  },
  { id: 'boss-deck', spec: () => ({ account: 'work', from: PEOPLE.boss, text: 'Can you send me the Q3 deck before 5?' }) },
  {
    id: 'family-photo',
    spec: (g, files) => ({ from: PEOPLE.sam, text: 'Look what I baked 🍰', file: files.photo, group: { guid: g.get('family-dessert:chat')! } }),
  },
  {
    id: 'family-love',
    spec: (g) => ({ from: PEOPLE.mom, reaction: { target: g.get('family-photo')!, type: 'love' }, group: { guid: g.get('family-dessert:chat')! } }),
  },
  { id: 'bob-dm', spec: () => ({ account: 'bob', from: PEOPLE.sam, text: 'Bob, can I borrow your ladder this weekend?' }) },
  { id: 'dana-reply', spec: (g) => ({ account: 'alice', from: PEOPLE.dana, text: '7pm works, I booked the table', replyTo: g.get('dana-dinner')! }) },
];

/** A tiny valid PNG (1×1, orange), so the attachment is a real file with real bytes. */
export const PHOTO_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg==', 'base64');
