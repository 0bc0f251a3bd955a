/**
 * How many shopping sessions start when: a daily curve in local time plus the rush when the sale opens
 * at local midnight, turned into Poisson arrivals.
 */
import type { Random } from './random.js';
import { MINUTE_MS, type Zone } from './zone.js';

/** (local hour, relative level): quiet at night, rising from 8:00, a noon peak and the 20:00-23:00 evening peak. */
const DAILY_CURVE: readonly (readonly [hour: number, level: number])[] = [
  [0, 0.6],
  [1, 0.4],
  [2, 0.15],
  [3, 0.07],
  [7, 0.07],
  [8, 0.15],
  [10, 0.5],
  [12, 0.8],
  [13, 0.75],
  [15, 0.6],
  [18, 0.7],
  [20, 1],
  [23, 1],
  [24, 0.6],
];

/** At 00:00 the rush is this many times the evening peak, decaying with this time constant. */
const RUSH_PEAK = 5;
const RUSH_DECAY_MINUTES = 6;
const RUSH_MINUTES = 30;

/** Relative traffic at a local minute of the day (0..1439). */
function trafficLevel(minuteOfDay: number): number {
  const hour = minuteOfDay / 60;
  let i = 1;
  while (DAILY_CURVE[i]![0] < hour) i++;
  const [h0, l0] = DAILY_CURVE[i - 1]!;
  const [h1, l1] = DAILY_CURVE[i]!;
  const base = l0 + ((l1 - l0) * (hour - h0)) / (h1 - h0);
  return minuteOfDay < RUSH_MINUTES ? base + RUSH_PEAK * Math.exp(-minuteOfDay / RUSH_DECAY_MINUTES) : base;
}

/** Traffic level of every minute of [startMs, endMs), by the local clock. */
export function minuteLevels(zone: Zone, startMs: number, endMs: number): Float64Array {
  const levels = new Float64Array(Math.ceil((endMs - startMs) / MINUTE_MS));
  for (let i = 0; i < levels.length; i++) {
    const local = zone.local(startMs + i * MINUTE_MS);
    levels[i] = trafficLevel(local.hour * 60 + local.minute);
  }
  return levels;
}

/**
 * Arrival times of a Poisson process whose rate is `perLevelMinute * level` per minute, exact for the
 * piecewise-constant rate: an exponential "budget" is spent across minutes until it runs out.
 */
export function* poissonArrivals(
  levels: Float64Array,
  startMs: number,
  perLevelMinute: number,
  random: Random,
): Generator<number, void, undefined> {
  let minute = 0;
  let t = startMs;
  let budget = random.exponential(1);
  while (minute < levels.length) {
    const ratePerMs = (levels[minute]! * perLevelMinute) / MINUTE_MS;
    const minuteEnd = startMs + (minute + 1) * MINUTE_MS;
    const available = ratePerMs * (minuteEnd - t);
    if (available >= budget) {
      t += budget / ratePerMs;
      budget = random.exponential(1);
      yield t;
    } else {
      budget -= available;
      t = minuteEnd;
      minute++;
    }
  }
}
