import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { createHourBucketer } from '../../processors/window/hour-bucket.js';

const at = (iso: string) => Date.parse(iso);
const hourOf = (tz: string, iso: string) => new Date(createHourBucketer(tz)(at(iso))).toISOString();

describe('event-time hour buckets', () => {
  it('UTC hours start on the hour', () => {
    expect(hourOf('UTC', '2026-11-11T13:59:59.999Z')).toBe('2026-11-11T13:00:00.000Z');
    expect(hourOf('UTC', '2026-11-11T14:00:00.000Z')).toBe('2026-11-11T14:00:00.000Z');
  });

  it('Asia/Kolkata (+05:30) hours start at :30 UTC', () => {
    expect(hourOf('Asia/Kolkata', '2026-11-11T04:29:59.999Z')).toBe('2026-11-11T03:30:00.000Z');
    expect(hourOf('Asia/Kolkata', '2026-11-11T04:30:00.000Z')).toBe('2026-11-11T04:30:00.000Z');
  });

  it('Asia/Kathmandu (+05:45) hours start at :15 UTC', () => {
    expect(hourOf('Asia/Kathmandu', '2026-11-11T04:14:59.999Z')).toBe('2026-11-11T03:15:00.000Z');
    expect(hourOf('Asia/Kathmandu', '2026-11-11T04:15:00.000Z')).toBe('2026-11-11T04:15:00.000Z');
  });

  it('the two local 01:00 hours of a fall-back night are two buckets (America/New_York)', () => {
    // 2026-11-01: 01:00-01:59 EDT (05:00Z) then 01:00-01:59 EST (06:00Z).
    expect(hourOf('America/New_York', '2026-11-01T05:30:00Z')).toBe('2026-11-01T05:00:00.000Z');
    expect(hourOf('America/New_York', '2026-11-01T06:30:00Z')).toBe('2026-11-01T06:00:00.000Z');
  });

  it('agrees with wall-clock hours read from Intl for random instants in several zones', () => {
    const zones = ['UTC', 'Asia/Shanghai', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/New_York', 'Australia/Lord_Howe', 'Pacific/Chatham'];
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2028, 0, 1) }), (tz, ms) => {
        const start = createHourBucketer(tz)(ms);
        const fmt = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hourCycle: 'h23', hour: '2-digit', minute: '2-digit', second: '2-digit' });
        // The bucket starts at a local hh:00:00, contains the instant, and is at most one hour long.
        expect(fmt.format(start).endsWith(':00:00')).toBe(true);
        expect(start).toBeLessThanOrEqual(ms);
        expect(ms - start).toBeLessThan(3_600_000);
        expect(fmt.format(ms).slice(0, 2)).toBe(fmt.format(start).slice(0, 2));
      }),
      { seed: 42, numRuns: 2000 },
    );
  });
});
