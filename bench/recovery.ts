/**
 * Recovery: a processor SIGKILLed with a backlog still to read, and its successor's time to processing
 * again and to caught up. The successor reopens the same chDB directory, reloads the partitions' state
 * and replays the dedup window, so the time includes everything a real restart does.
 *
 *   npx tsx bench/recovery.ts [--events 300000] [--runs 3] [--partitions 32] [--client kafkajs]
 */
import { spawnTsx } from '../test/support/tsx-child.js';
import { childEnv, produceBenchDay, runToResult, type ChildResult, parseDayRunArgs } from './children.js';
import { median, printTable, writeResults } from './results-file.js';

const values = parseDayRunArgs();
const day = await produceBenchDay(Number(values.events), Number(values.partitions));
try {
  const total = day.truth.messages.total;
  const runs: (ChildResult & { lagAtKill: number })[] = [];
  for (let run = 1; run <= Number(values.runs); run++) {
    const env = childEnv(day, values.client, `bench-recovery-${run}`, day.scratch('chdb'), { BENCH_TRUTH: day.truthPath, BENCH_PROGRESS: '1' });
    // The victim reports what it has stored; it is killed with about 60% of the day still to do.
    const victim = spawnTsx('bench/processor-child.ts', [], env);
    const { progress } = await victim.waitForLine(
      (l): l is { progress: { stored: number } } => ((l as { progress?: { stored: number } }).progress?.stored ?? 0) >= total * 0.4,
      { timeoutMs: 600_000, description: 'victim stored 40% of the day' },
    );
    await victim.stop('SIGKILL');
    const result = await runToResult('bench/processor-child.ts', { ...env, BENCH_PROGRESS: '0' });
    if (result.differences !== 0) throw new Error(`run ${run}: after the kill ClickHouse differs from the ground truth: ${result.firstDifferences?.join('; ')}`);
    runs.push({ ...result, lagAtKill: total - progress.stored });
    console.error(`run ${run}: processing again after ${result.startupMs} ms, caught up after ${result.startupMs + result.processingMs} ms, exact`);
  }
  const rows = [
    {
      client: values.client,
      'lag at kill (messages)': Math.round(median(runs.map((r) => r.lagAtKill))),
      'to processing again s': median(runs.map((r) => r.startupMs)) / 1000,
      'to caught up s': median(runs.map((r) => r.startupMs + r.processingMs)) / 1000,
      'catch-up events/s': median(runs.map((r) => r.eventsPerSecond)),
    },
  ];
  printTable(`Recovery after SIGKILL, medians of ${runs.length} runs, every run exact against the ground truth (target: processing again < 10 s)`, rows);
  console.error(`written ${writeResults('recovery', { simulation: day.simulation, runs, table: rows })}`);
} finally {
  await day.close();
}
