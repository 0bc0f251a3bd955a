import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../simulator/config.js';
import { computeTruth } from '../../simulator/run.js';
import { Zone } from '../../simulator/zone.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('Zone.hourStart: wall-clock hours in the shop zone', () => {
  it.each([
    ['UTC', '2024-11-11T10:00:00.000Z', '2024-11-11 10:00'],
    ['Asia/Shanghai', '2024-11-11T02:00:00.000Z', '2024-11-11 10:00'],
    ['Asia/Kolkata', '2024-11-11T04:30:00.000Z', '2024-11-11 10:00'],
    ['Asia/Kathmandu', '2024-11-11T04:15:00.000Z', '2024-11-11 10:00'],
  ])('%s: the hour starting at %s is local %s, and its boundary is exact', (timeZone, start, label) => {
    const zone = new Zone(timeZone);
    const startMs = at(start);
    expect(iso(zone.hourStart(startMs))).toBe(start);
    expect(iso(zone.hourStart(startMs + 3_599_999))).toBe(start);
    expect(iso(zone.hourStart(startMs - 1))).toBe(iso(startMs - 3_600_000));
    expect(iso(zone.hourStart(startMs + 3_600_000))).toBe(iso(startMs + 3_600_000));
    expect(zone.hourLabel(startMs)).toBe(label);
  });

  it('keeps the two 01:00 hours of a DST fall-back apart (America/New_York, 2024-11-03)', () => {
    const zone = new Zone('America/New_York');
    const firstHour = zone.hourStart(at('2024-11-03T05:30:00Z'));
    const secondHour = zone.hourStart(at('2024-11-03T06:30:00Z'));
    expect(iso(firstHour)).toBe('2024-11-03T05:00:00.000Z');
    expect(iso(secondHour)).toBe('2024-11-03T06:00:00.000Z');
    expect(zone.hourLabel(firstHour)).toBe('2024-11-03 01:00');
    expect(zone.hourLabel(secondHour)).toBe('2024-11-03 01:00');
  });
});

describe('Zone conversions', () => {
  it('finds the instant of a local wall time', () => {
    const local = { year: 2024, month: 11, day: 11, hour: 0, minute: 0 };
    expect(iso(new Zone('Asia/Kolkata').instantOf(local))).toBe('2024-11-10T18:30:00.000Z');
    expect(iso(new Zone('Asia/Kathmandu').instantOf(local))).toBe('2024-11-10T18:15:00.000Z');
    expect(iso(new Zone('Asia/Shanghai').instantOf(local))).toBe('2024-11-10T16:00:00.000Z');
  });

  it('formats RFC 3339 with the zone offset, parsing back to the same instant', () => {
    const ms = at('2024-11-11T04:20:05.007Z');
    expect(new Zone('Asia/Kathmandu').rfc3339(ms)).toBe('2024-11-11T10:05:05.007+05:45');
    expect(new Zone('America/New_York').rfc3339(ms)).toBe('2024-11-10T23:20:05.007-05:00');
    expect(Date.parse(new Zone('Asia/Kolkata').rfc3339(ms))).toBe(ms);
  });

  it('finds scenario moments by local time within a period', () => {
    const zone = new Zone('Asia/Kolkata');
    const from = at('2024-11-10T18:30:00Z');
    expect(iso(zone.firstOccurrence('14:10', from, from + 86_400_000)!)).toBe('2024-11-11T08:40:00.000Z');
    expect(zone.firstOccurrence('14:10', from, from + 3_600_000)).toBeUndefined();
  });

  it('resolves the configured local start to an instant', () => {
    const config = resolveConfig({ timeZone: 'Asia/Kathmandu', start: '2024-11-11T10', hours: 2 });
    expect(iso(config.startMs)).toBe('2024-11-11T04:15:00.000Z');
    expect(config.endMs - config.startMs).toBe(2 * 3_600_000);
  });
});

describe('truth hours follow the configured zone', () => {
  it.each([
    ['Asia/Kolkata', ':30:00.000Z'],
    ['Asia/Kathmandu', ':15:00.000Z'],
    ['UTC', ':00:00.000Z'],
  ])('%s: every row is keyed by the UTC instant of a local hour start (%s)', (timeZone, suffix) => {
    const truth = computeTruth({ timeZone, start: '2024-11-11T09', hours: 3, events: 3000, seed: 5 });
    const label = new Intl.DateTimeFormat('en-CA', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit' });
    const hours = new Set([...truth.campaign_hours, ...truth.sku_hours].map((r) => `${r.hour} ${r.hour_local}`));
    expect([...hours].map((h) => h.split(' ').slice(1).join(' ')).sort()).toEqual(['2024-11-11 09:00', '2024-11-11 10:00', '2024-11-11 11:00']);
    for (const h of hours) {
      const [instant, localDate, localTime] = h.split(' ') as [string, string, string];
      expect(instant.endsWith(suffix)).toBe(true);
      expect(label.format(Date.parse(instant)).replace(', ', ' ')).toBe(`${localDate} ${localTime.slice(0, 2)}`);
    }
  });
});
