/** The processes a benchmark runs: the embedded broker with a produced day, and bench children reading it. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeTruth, type SimulationOptions, type Truth } from '../simulator/index.js';
import { spawnBroker, type SpawnedBroker } from '../test/support/broker.js';
import { produceDay } from '../test/support/pipeline.js';
import { spawnTsx, type TsxChild } from '../test/support/tsx-child.js';

export interface ChildResult {
  messages: number;
  /** From process start to the first processed message. */
  startupMs: number;
  /** From the first processed message to all of them visible in ClickHouse. */
  processingMs: number;
  eventsPerSecond: number;
  peakRssMb: number;
  /** Processor runs given a truth file: places where ClickHouse differs from it. */
  differences?: number;
  firstDifferences?: string[];
}

export interface ProducedDay {
  broker: SpawnedBroker;
  truth: Truth;
  truthPath: string;
  simulation: SimulationOptions;
  /** A fresh directory per call, removed by `close`. */
  scratch(name: string): string;
  close(): Promise<void>;
}

/** Starts the embedded broker and produces a simulated day into it as fast as it takes. */
export async function produceBenchDay(events: number, partitions: number): Promise<ProducedDay> {
  const simulation: SimulationOptions = { seed: 7, events, timeZone: 'Asia/Kolkata', start: '2026-11-11', hours: 24 };
  const work = mkdtempSync(join(tmpdir(), 'ecom-bench-'));
  const broker = await spawnBroker({ partitions });
  try {
    console.error(`producing ${events.toLocaleString('en-US')} events to the embedded broker (${partitions} partitions per topic)...`);
    const truth = await produceDay(broker.brokers, broker.topics, simulation, 'rdkafka');
    const truthPath = join(work, 'truth.json');
    await writeTruth(truthPath, truth);
    let n = 0;
    return {
      broker,
      truth,
      truthPath,
      simulation,
      scratch: (name) => join(work, `${name}-${++n}`),
      async close() {
        await broker.stop();
        rmSync(work, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await broker.stop();
    rmSync(work, { recursive: true, force: true });
    throw error;
  }
}

/** Environment of a processor (or peer) child reading `day` into its own chDB directory. */
export function childEnv(day: ProducedDay, client: string, groupId: string, dataDir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    KAFKA_BROKERS: day.broker.bootstraps,
    KAFKA_CLIENT: client,
    KAFKA_GROUP_ID: groupId,
    KAFKA_SESSION_TIMEOUT_MS: '6000',
    CLICKHOUSE_DATA_DIR: dataDir,
    CLICKHOUSE_DATABASE: 'bench',
    PIPELINE_TZ: day.simulation.timeZone!,
    LOG_LEVEL: 'warn',
    BENCH_MESSAGES: String(day.truth.messages.total),
    ...extra,
  };
}

export function isResultLine(line: unknown): line is { result: ChildResult } {
  return typeof (line as { result?: unknown }).result === 'object';
}

/** Runs a bench child to its result line, then stops it and removes its chDB directory. */
export async function runToResult(script: string, env: Record<string, string>): Promise<ChildResult> {
  const child: TsxChild = spawnTsx(script, [], env);
  try {
    const { result } = await child.waitForLine(isResultLine, { timeoutMs: 600_000, description: `${script} result` });
    return result;
  } finally {
    await child.stop();
    if (env.CLICKHOUSE_DATA_DIR !== undefined) rmSync(env.CLICKHOUSE_DATA_DIR, { recursive: true, force: true });
  }
}

/** The options of the benchmarks that run a produced day several times with one client. */
export function parseDayRunArgs(): { events: string; runs: string; partitions: string; client: string } {
  return parseArgs({
    options: {
      events: { type: 'string', default: '300000' },
      runs: { type: 'string', default: '3' },
      partitions: { type: 'string', default: '32' },
      client: { type: 'string', default: 'kafkajs' },
    },
  }).values;
}
