import { describe, expect, it } from 'vitest';
import { ReplacementDetector } from './replacement-detector.js';

const probe = (id: number, guid: string) => ({ id, guid, chat_id: 1, created_at: '2026-01-01T00:00:00.000Z' });

describe('ReplacementDetector', () => {
  it('needs two probes below the cursor showing a row the hub never acked', () => {
    const d = new ReplacementDetector();
    const seen = (): undefined => undefined;
    expect(d.observe(probe(3, 'new'), 10, seen)).toBe(false);
    expect(d.observe(probe(3, 'new'), 10, seen)).toBe(true);
  });

  it('ignores an acked row below the cursor (a tapback revived an older chat)', () => {
    const d = new ReplacementDetector();
    const seen = (g: string): number | undefined => (g === 'old' ? 3 : undefined);
    for (let i = 0; i < 4; i++) expect(d.observe(probe(3, 'old'), 10, seen)).toBe(false);
  });

  it('counts a known guid at another rowid, and resets on a normal probe', () => {
    const d = new ReplacementDetector();
    const seen = (): number => 8;
    expect(d.observe(probe(3, 'moved'), 10, seen)).toBe(false);
    expect(d.observe(probe(12, 'next'), 10, seen)).toBe(false);
    expect(d.observe(probe(3, 'moved'), 10, seen)).toBe(false);
    expect(d.observe(probe(3, 'moved'), 10, seen)).toBe(true);
    expect(d.observe(undefined, 10, seen)).toBe(false);
  });
});
