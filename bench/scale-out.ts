/**
 * Scale-out: the same day read by one processor process and by two in one consumer group. Each
 * process writes its own chDB directory here (with a ClickHouse server they would share one); the run
 * ends when the stored progress of both adds up to the whole day.
 *
 *   npx tsx bench/scale-out.ts [--events 300000] [--runs 3] [--partitions 32] [--client kafkajs]
 */
import { rmSync } from 'node:fs';
import { spawnTsx, type TsxChild } from '../test/support/tsx-child.js';
import { childEnv, produceBenchDay, parseDayRunArgs } from './children.js';
import { median, printTable, writeResults } from './results-file.js';

const values = parseDayRunArgs();

interface Progress {
  stored: number;
  firstAtMs: number;
}
const isProgress = (l: unknown): l is { progress: Progress } => typeof (l as { progress?: unknown }).progress === 'object';

const day = await produceBenchDay(Number(values.events), Number(values.partitions));
try {
  const total = day.truth.messages.total;
  /** Events per second from the first processed message in any member to the whole day stored. */
  const measure = async (processes: number, run: number): Promise<number> => {
    const members: { child: TsxChild; spawnedAt: number; dir: string }[] = [];
    for (let i = 0; i < processes; i++) {
      const dir = day.scratch('chdb');
      // Members run until stopped: this process adds up their progress lines to tell when the day is stored.
      const env = childEnv(day, values.client, `bench-scale-${processes}-${run}`, dir, { BENCH_PROGRESS: '1', BENCH_MESSAGES: String(Number.MAX_SAFE_INTEGER) });
      members.push({ child: spawnTsx('bench/processor-child.ts', [], env), spawnedAt: performance.now(), dir });
    }
    try {
      for (;;) {
        await new Promise((r) => setTimeout(r, 50));
        const latest = members.map((m) => [...m.child.lines].reverse().find(isProgress)?.progress);
        if (latest.every((p) => p !== undefined) && latest.reduce((n, p) => n + p!.stored, 0) >= total) {
          const started = Math.min(...latest.map((p, i) => (p!.firstAtMs > 0 ? members[i]!.spawnedAt + p!.firstAtMs : Infinity)));
          return Math.round((total * 1000) / (performance.now() - started));
        }
        const dead = members.find((m) => m.child.process.exitCode !== null || m.child.process.signalCode !== null);
        if (dead) throw new Error(`a member exited early: ${dead.child.output().slice(-2000)}`);
      }
    } finally {
      await Promise.all(members.map((m) => m.child.stop('SIGKILL')));
      for (const m of members) rmSync(m.dir, { recursive: true, force: true });
    }
  };
  const one: number[] = [];
  const two: number[] = [];
  for (let run = 1; run <= Number(values.runs); run++) {
    one.push(await measure(1, run));
    two.push(await measure(2, run));
    console.error(`run ${run}: one process ${one.at(-1)!.toLocaleString('en-US')} events/s, two ${two.at(-1)!.toLocaleString('en-US')} events/s`);
  }
  const rows = [
    { processes: 1, 'events/s (median)': median(one), speed_up: '1.00x' },
    { processes: 2, 'events/s (median)': median(two), speed_up: `${(median(two) / median(one)).toFixed(2)}x` },
  ];
  printTable(`Scale-out on ${values.client}, ${total.toLocaleString('en-US')} messages, medians of ${one.length} runs (the machine has the cores it has: see machine in the JSON)`, rows);
  console.error(`written ${writeResults('scale-out', { simulation: day.simulation, one, two, table: rows })}`);
} finally {
  await day.close();
}
