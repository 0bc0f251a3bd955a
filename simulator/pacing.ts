/** Wall-clock control of a run: how fast simulated time may pass, and a progress line about once a second. */
import type { Zone } from './zone.js';

/** `speed`: simulated ms per wall ms (720 plays a day in 2 minutes); `rate`: messages per second; neither: as fast as possible. */
export interface Pacing {
  speed?: number;
  rate?: number;
}

/** Being ahead by less than this is not worth a sleep (and a tiny batch). */
const MIN_PAUSE_MS = 20;

export class Pacer {
  private readonly wallStart = performance.now();

  constructor(
    private readonly pacing: Pacing,
    private readonly simStartMs: number,
  ) {
    if (pacing.speed !== undefined && pacing.rate !== undefined) throw new Error('pacing takes speed or rate, not both');
  }

  /** Wall ms to wait before sending the `index`-th message (0-based), stamped `timestampMs`; 0 when due. */
  pauseBefore(timestampMs: number, index: number): number {
    const { speed, rate } = this.pacing;
    let dueAt: number;
    if (speed !== undefined) dueAt = this.wallStart + (timestampMs - this.simStartMs) / speed;
    else if (rate !== undefined) dueAt = this.wallStart + (index / rate) * 1000;
    else return 0;
    const ahead = dueAt - performance.now();
    return ahead >= MIN_PAUSE_MS ? ahead : 0;
  }
}

export class ProgressReporter {
  private readonly started = performance.now();
  private lastAt = this.started;
  private lastSent = 0;

  constructor(
    private readonly zone: Zone,
    private readonly write: (line: string) => void,
    private readonly intervalMs = 1000,
  ) {}

  tick(sent: number, simMs: number): void {
    const now = performance.now();
    if (now - this.lastAt < this.intervalMs) return;
    const rate = ((sent - this.lastSent) * 1000) / (now - this.lastAt);
    this.write(`[simulate] ${sent.toLocaleString('en-US')} messages  ${Math.round(rate).toLocaleString('en-US')} msg/s  ${this.clock(simMs)}`);
    this.lastAt = now;
    this.lastSent = sent;
  }

  done(sent: number, simMs: number): void {
    const seconds = (performance.now() - this.started) / 1000;
    const rate = Math.round(sent / seconds).toLocaleString('en-US');
    this.write(`[simulate] done: ${sent.toLocaleString('en-US')} messages in ${seconds.toFixed(2)} s (${rate} msg/s)  ${this.clock(simMs)}`);
  }

  private clock(simMs: number): string {
    return `sim ${this.zone.clockLabel(simMs)} ${this.zone.timeZone}`;
  }
}
