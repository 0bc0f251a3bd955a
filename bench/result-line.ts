/** The one JSON line a bench child prints when done, read by bench/children.ts. */
export interface RunTimes {
  messages: number;
  /** performance.now() of the first processed message: it counts from process start. */
  firstAt: number;
  doneAt: number;
  peakRss: number;
}

export function printResult({ messages, firstAt, doneAt, peakRss }: RunTimes, extra: Record<string, unknown> = {}): void {
  const result = {
    messages,
    startupMs: Math.round(firstAt),
    processingMs: Math.round(doneAt - firstAt),
    eventsPerSecond: Math.round((messages * 1000) / (doneAt - firstAt)),
    peakRssMb: Math.round(peakRss / 2 ** 20),
    ...extra,
  };
  process.stdout.write(JSON.stringify({ result }) + '\n');
}
