/**
 * Wall-clock arithmetic in an IANA time zone, derived from Intl.DateTimeFormat parts at each instant
 * rather than from a fixed offset: offsets change with DST and history, and Asia/Kolkata (+05:30) or
 * Asia/Kathmandu (+05:45) hours do not start on a UTC hour.
 */
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

export class Zone {
  private readonly format: Intl.DateTimeFormat;
  /**
   * Keyed by UTC minute: every zone in use today is offset by whole minutes, so all instants of one UTC
   * minute share the local hour and offset, and one Intl call serves the whole minute.
   */
  private readonly hourStartByMinute = new Map<number, number>();
  private readonly offsetByMinute = new Map<number, number>();

  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  local(epochMs: number): LocalTime {
    const out: LocalTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.format.formatToParts(epochMs)) {
      if (part.type in out) out[part.type as keyof LocalTime] = Number(part.value);
    }
    return out;
  }

  /** The instant the local wall-clock hour containing `epochMs` began. */
  hourStart(epochMs: number): number {
    const minute = Math.floor(epochMs / MINUTE_MS);
    let start = this.hourStartByMinute.get(minute);
    if (start === undefined) {
      const minuteStart = minute * MINUTE_MS;
      const local = this.local(minuteStart);
      start = minuteStart - local.minute * MINUTE_MS - local.second * 1000;
      remember(this.hourStartByMinute, minute, start);
    }
    return start;
  }

  /** Offset from UTC in minutes (east positive) at an instant, as the zone's own rules define it. */
  offsetMinutes(epochMs: number): number {
    const minute = Math.floor(epochMs / MINUTE_MS);
    let offset = this.offsetByMinute.get(minute);
    if (offset === undefined) {
      const minuteStart = minute * MINUTE_MS;
      offset = Math.round((asUtc(this.local(minuteStart)) - minuteStart) / MINUTE_MS);
      remember(this.offsetByMinute, minute, offset);
    }
    return offset;
  }

  /** 'YYYY-MM-DD HH:00', the label people read on dashboards. */
  hourLabel(epochMs: number): string {
    const t = this.local(epochMs);
    return `${t.year}-${pad2(t.month)}-${pad2(t.day)} ${pad2(t.hour)}:00`;
  }

  /** 'YYYY-MM-DD HH:MM:SS' local. */
  clockLabel(epochMs: number): string {
    const t = this.local(epochMs);
    return `${t.year}-${pad2(t.month)}-${pad2(t.day)} ${pad2(t.hour)}:${pad2(t.minute)}:${pad2(t.second)}`;
  }

  /** RFC 3339 with this zone's offset at that instant, e.g. 2024-11-11T20:05:00.123+05:45. */
  rfc3339(epochMs: number): string {
    const offset = this.offsetMinutes(epochMs);
    const wall = new Date(epochMs + offset * MINUTE_MS).toISOString().slice(0, -1);
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    return `${wall}${sign}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  }

  /**
   * The instant a local wall time occurs. A time skipped by a DST jump resolves to the instant the
   * pre-jump offset would give; a repeated time resolves to one of its two instants.
   */
  instantOf(local: Omit<LocalTime, 'second'>): number {
    const wall = asUtc({ ...local, second: 0 });
    let guess = wall;
    for (let i = 0; i < 3; i++) {
      const next = wall - this.offsetMinutes(guess) * MINUTE_MS;
      if (next === guess) break;
      guess = next;
    }
    return guess;
  }

  /**
   * The first instant in [fromMs, toMs) whose local time is hh:mm, or undefined. Scenario moments
   * ("the sale opens at 00:00", "the incident starts at 14:10") are wall-clock times.
   */
  firstOccurrence(hhmm: string, fromMs: number, toMs: number): number | undefined {
    const [hour, minute] = hhmm.split(':').map(Number) as [number, number];
    const first = this.local(fromMs);
    for (let dayOffset = 0; ; dayOffset++) {
      const date = new Date(Date.UTC(first.year, first.month - 1, first.day + dayOffset));
      const t = this.instantOf({
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour,
        minute,
      });
      if (t >= toMs) return undefined;
      if (t >= fromMs) return t;
    }
  }
}

function asUtc(t: LocalTime): number {
  return Date.UTC(t.year, t.month - 1, t.day, t.hour, t.minute, t.second);
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Bounded so a week-long simulation cannot grow a cache without limit. */
function remember(cache: Map<number, number>, key: number, value: number): void {
  if (cache.size >= 50_000) cache.clear();
  cache.set(key, value);
}

export { HOUR_MS, MINUTE_MS };
