/**
 * Processors as real child processes (`npm start`'s entry point) against one broker and one chDB
 * directory, one process at a time (chDB's rule), and the checks that end such a run: everything
 * committed, stored totals equal to the ground truth.
 */
import { Kafka, logLevel } from 'kafkajs';
import { openClickHouse } from '../../processors/clickhouse/client.js';
import { compareWithTruth } from '../../simulator/compare-clickhouse.js';
import type { Truth } from '../../simulator/index.js';
import { waitFor } from './poll.js';
import { spawnTsx, type TsxChild } from './tsx-child.js';

export interface ProcessorTarget {
  brokers: string[];
  dataDir: string;
  groupId: string;
  database: string;
}

export function processorEnv(target: ProcessorTarget): Record<string, string> {
  return {
    KAFKA_BROKERS: target.brokers.join(','),
    KAFKA_GROUP_ID: target.groupId,
    KAFKA_SESSION_TIMEOUT_MS: '3000',
    CLICKHOUSE_DATA_DIR: target.dataDir,
    CLICKHOUSE_DATABASE: target.database,
    FLUSH_INTERVAL_MS: '100',
    PIPELINE_TZ: 'Asia/Kolkata',
    LOG_LEVEL: 'warn',
    // A free port each: processes of parallel test files must not fight over the default 9464.
    METRICS_PORT: '0',
  };
}

export function startProcessor(target: ProcessorTarget, env: Record<string, string> = {}): TsxChild {
  return spawnTsx('processors/main.ts', [], { ...processorEnv(target), ...env });
}

type StatusLine = { status: { assigned: number } };

/** The processor's status line (main.ts) once it owns partitions. */
export function waitAssigned(child: TsxChild): Promise<StatusLine> {
  return child.waitForLine((l): l is StatusLine => ((l as Partial<StatusLine>).status?.assigned ?? 0) > 0, {
    timeoutMs: 60_000,
    description: 'processor assigned partitions',
  });
}

/** Committed offsets are written only after ClickHouse holds the data: all committed = all stored. */
export async function waitAllStored(target: ProcessorTarget, topics: string[]): Promise<void> {
  const admin = new Kafka({ brokers: target.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        for (const topic of topics) {
          const [high, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: target.groupId, topics: [topic] })]);
          const done = new Map(committed[0]!.partitions.map((p) => [p.partition, Number(p.offset)]));
          if (high.some((p) => Number(p.high) > 0 && done.get(p.partition) !== Number(p.high))) return false;
        }
        return true;
      },
      { timeoutMs: 120_000, intervalMs: 250, description: 'every partition committed up to its high watermark' },
    );
  } finally {
    await admin.disconnect();
  }
}

/** Opens the directory after the processors are gone (one process per chDB directory). */
export async function storedDifferences(target: ProcessorTarget, truth: Truth): Promise<string[]> {
  const ch = await openClickHouse({ url: undefined, dataDir: target.dataDir, database: target.database });
  try {
    return await compareWithTruth(ch, truth);
  } finally {
    await ch.close();
  }
}

/** A reproducible sequence in [0, 1), so a failing run's timings can be replayed. */
export function seededRandom(seed: number): () => number {
  let state = seed;
  return () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
}
