/**
 * Event-time hour windows in an IANA time zone. An hour is identified by the UTC instant of its local
 * start, which stays unambiguous when clocks fall back (two local 01:00 hours are two instants) and is
 * correct for zones offset by :30 or :45 (Asia/Kolkata 10:00 = 04:30Z).
 */
const HOUR_MS = 3_600_000;
/** Zone offsets only change on 15-minute UTC boundaries, so one lookup serves a whole block. */
const OFFSET_BLOCK_MS = 900_000;

export type HourBucketer = (epochMs: number) => number;

export function createHourBucketer(timeZone: string): HourBucketer {
  const offsetOf = zoneOffsetReader(timeZone);
  const cache = new Map<number, number>();
  return (epochMs) => {
    const block = Math.floor(epochMs / OFFSET_BLOCK_MS);
    let offset = cache.get(block);
    if (offset === undefined) {
      offset = offsetOf(block * OFFSET_BLOCK_MS);
      if (cache.size > 100_000) cache.clear();
      cache.set(block, offset);
    }
    const local = epochMs + offset;
    return local - mod(local, HOUR_MS) - offset;
  };
}

/**
 * The instant a local wall-clock hour ('YYYY-MM-DD HH') starts, or undefined when the zone's clocks skip
 * it (a DST gap). Of the two instants of a repeated hour (clocks falling back) it gives the earlier one.
 */
export function localHourStart(timeZone: string, local: { year: number; month: number; day: number; hour: number }): number | undefined {
  const offsetOf = zoneOffsetReader(timeZone);
  const wall = Date.UTC(local.year, local.month - 1, local.day, local.hour);
  // The offset a few hours either side covers both readings of a repeated hour; take the earlier instant that reads right.
  const candidates = [...new Set([wall - offsetOf(wall - 12 * HOUR_MS), wall - offsetOf(wall + 12 * HOUR_MS)])].sort((a, b) => a - b);
  return candidates.find((t) => t + offsetOf(t) === wall);
}

/** Returns a function giving the zone's offset from UTC (ms, east positive) at an instant. */
function zoneOffsetReader(timeZone: string): (epochMs: number) => number {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  return (epochMs) => {
    const parts: Record<string, number> = {};
    for (const p of format.formatToParts(epochMs)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
    const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    const wholeSeconds = epochMs - mod(epochMs, 1000);
    return asUtc - wholeSeconds;
  };
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

export { HOUR_MS };
