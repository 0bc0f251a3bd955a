/**
 * Dead letters are routine one at a time and a signal in bursts (a producer deploying a broken schema).
 * A line per dead letter would flood the log during exactly such a burst, so they are counted and
 * summarised: the first dead letter after a quiet interval is reported at once, the rest of its burst
 * in one line per interval.
 */
export interface DeadLetterSummaryLine {
  dead_letters: number;
  by_reason: Record<string, number>;
  by_topic: Record<string, number>;
  /** Wall-clock span the counts cover, from the first counted dead letter. */
  window_ms: number;
}

export class DeadLetterSummary {
  private byReason = new Map<string, number>();
  private byTopic = new Map<string, number>();
  private firstAt: number | undefined;
  private lastReportAt = -Infinity;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  add(reason: string, topic: string): void {
    this.firstAt ??= this.now();
    this.byReason.set(reason, (this.byReason.get(reason) ?? 0) + 1);
    this.byTopic.set(topic, (this.byTopic.get(topic) ?? 0) + 1);
  }

  /** The line due now, if anything was counted and the last line is at least an interval old. */
  take(): DeadLetterSummaryLine | undefined {
    const now = this.now();
    if (this.firstAt === undefined || now - this.lastReportAt < this.intervalMs) return undefined;
    const line = {
      dead_letters: [...this.byReason.values()].reduce((a, b) => a + b, 0),
      by_reason: Object.fromEntries(this.byReason),
      by_topic: Object.fromEntries(this.byTopic),
      window_ms: now - this.firstAt,
    };
    this.byReason = new Map();
    this.byTopic = new Map();
    this.firstAt = undefined;
    this.lastReportAt = now;
    return line;
  }
}
