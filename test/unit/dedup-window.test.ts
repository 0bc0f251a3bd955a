import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { DedupWindow } from '../../processors/dedup/dedup-window.js';

/** The obvious model: a key is a duplicate if it was seen at an offset within the last `size` offsets. */
function naive(size: number, keys: string[]): boolean[] {
  const last = new Map<string, number>();
  return keys.map((k, offset) => {
    const seenAt = last.get(k);
    const dup = seenAt !== undefined && seenAt >= offset - size;
    if (!dup) last.set(k, offset);
    return dup;
  });
}

describe('DedupWindow', () => {
  it('matches the naive model on random key streams, including heavy eviction', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.array(fc.integer({ min: 0, max: 60 }), { maxLength: 600, size: 'max' }), (size, ids) => {
        const keys = ids.map((i) => `event-${i}`);
        const w = new DedupWindow(size);
        expect(keys.map((k, offset) => w.seen(k, offset))).toEqual(naive(size, keys));
      }),
      { seed: 7, numRuns: 400 },
    );
  });

  it('matches the naive model while its arrays grow from small to the full window', () => {
    fc.assert(
      fc.property(fc.integer({ min: 30, max: 700 }), fc.array(fc.integer({ min: 0, max: 900 }), { minLength: 1000, maxLength: 3000 }), (size, ids) => {
        const keys = ids.map((i) => `event-${i}`);
        const w = new DedupWindow(size);
        expect(keys.map((k, offset) => w.seen(k, offset))).toEqual(naive(size, keys));
      }),
      { seed: 8, numRuns: 100 },
    );
  });

  it('allocates for what it remembers, not for the window size', () => {
    const w = new DedupWindow(200_000);
    for (let i = 0; i < 100; i++) w.seen(`id-${i}`, i);
    expect(w.allocatedBytes).toBeLessThan(10_000);
    for (let i = 100; i < 300_000; i++) w.seen(`id-${i}`, i);
    // Full window: 200,001 entries in a ring (16 bytes each) and a table of 2^19 slots (16 bytes each).
    expect(w.allocatedBytes).toBe(200_001 * 16 + 2 ** 19 * 16);
  });

  it('forgets a key once it is older than the window, remembers it just inside', () => {
    const w = new DedupWindow(10);
    expect(w.seen('a', 0)).toBe(false);
    expect(w.seen('a', 10)).toBe(true);
    const v = new DedupWindow(10);
    v.seen('a', 0);
    expect(v.seen('a', 11)).toBe(false);
  });

  it('keeps memory bounded by the window size', () => {
    const w = new DedupWindow(1000);
    for (let i = 0; i < 50_000; i++) w.seen(`id-${i}`, i);
    expect(w.remembered).toBe(1001);
  });

  it('rebuilding from the window before a restart point gives the same decisions after it', () => {
    const keys = Array.from({ length: 5000 }, (_, i) => `k${(i * 7919) % 1300}`);
    const size = 500;
    const whole = new DedupWindow(size);
    const decisions = keys.map((k, o) => whole.seen(k, o));
    const restart = 3000;
    const rebuilt = new DedupWindow(size);
    for (let o = restart - size; o < restart; o++) rebuilt.seen(keys[o]!, o);
    expect(keys.slice(restart).map((k, i) => rebuilt.seen(k, restart + i))).toEqual(decisions.slice(restart));
  });
});
