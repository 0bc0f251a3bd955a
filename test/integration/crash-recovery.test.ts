/**
 * Issue 3, tests 2 and 3: processors as real child processes (`npm start`'s entry point), SIGKILLed at
 * random moments while the simulator produces, restarted each time, one after another on the same chDB
 * directory (chDB allows one process per directory). Then two instances in one group, one killed.
 * Final totals must equal the ground truth exactly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterEach, describe, expect, it } from 'vitest';
import { openClickHouse } from '../../processors/clickhouse/client.js';
import { inputTopics } from '../../schemas/topics.js';
import { compareWithTruth } from '../../simulator/compare-clickhouse.js';
import type { Truth } from '../../simulator/index.js';
import { spawnBroker, type SpawnedBroker } from '../support/broker.js';
import { produceDay } from '../support/pipeline.js';
import { waitFor } from '../support/poll.js';
import { spawnTsx, type TsxChild } from '../support/tsx-child.js';

let broker: SpawnedBroker | undefined;
const children: TsxChild[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.stop('SIGKILL')));
  await broker?.stop();
  broker = undefined;
});

const GROUP = 'crash-test';

function processorEnv(brokers: string[], dataDir: string): Record<string, string> {
  return {
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_GROUP_ID: GROUP,
    KAFKA_SESSION_TIMEOUT_MS: '3000',
    CLICKHOUSE_DATA_DIR: dataDir,
    CLICKHOUSE_DATABASE: 'crash',
    FLUSH_INTERVAL_MS: '100',
    PIPELINE_TZ: 'Asia/Kolkata',
    LOG_LEVEL: 'warn',
  };
}

function startProcessor(brokers: string[], dataDir: string, client: string): TsxChild {
  const child = spawnTsx('processors/main.ts', [], { ...processorEnv(brokers, dataDir), KAFKA_CLIENT: client });
  children.push(child);
  return child;
}

/** Committed offsets are written only after ClickHouse holds the data: all committed = all stored. */
async function waitAllStored(brokers: string[], topics: string[]): Promise<void> {
  const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await waitFor(
      async () => {
        for (const topic of topics) {
          const [high, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId: GROUP, topics: [topic] })]);
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

async function storedDifferences(dataDir: string, truth: Truth): Promise<string[]> {
  const ch = await openClickHouse({ url: undefined, dataDir, database: 'crash', username: 'default', password: '' });
  try {
    return await compareWithTruth(ch, truth);
  } finally {
    await ch.close();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SIGKILL at random moments', () => {
  it('a processor killed 12 times while the day is produced and processed ends with exact totals', async () => {
    broker = await spawnBroker({ partitions: 8 });
    const dataDir = mkdtempSync(join(tmpdir(), 'ecom-crash-'));
    const brokers = broker.brokers;
    // The simulator paces a day over ~20 s, so the kills land while messages keep arriving.
    const producing = produceDay(brokers, broker.topics, { seed: 3, timeZone: 'Asia/Kolkata', start: '2026-11-11', hours: 24, events: 30_000 }, 'rdkafka', { speed: 4320 });
    let random = 12345;
    const next = () => ((random = (Math.imul(random, 1103515245) + 12345) >>> 0) / 2 ** 32);
    let kills = 0;
    for (; kills < 12; kills++) {
      const child = startProcessor(brokers, dataDir, kills % 2 === 0 ? 'kafkajs' : 'rdkafka');
      await child.waitForLine((l): l is { status: { assigned: number } } => (l as { status?: { assigned: number } }).status?.assigned! > 0, {
        timeoutMs: 60_000,
        description: 'processor assigned partitions',
      });
      await sleep(300 + next() * 1500);
      await child.stop('SIGKILL');
    }
    const truth = await producing;
    const last = startProcessor(brokers, dataDir, 'kafkajs');
    await waitAllStored(brokers, inputTopics(broker.topics));
    await last.stop('SIGTERM', 15_000);
    expect(kills).toBe(12);
    expect(await storedDifferences(dataDir, truth)).toEqual([]);
  });

  it.each(['kafkajs', 'rdkafka'])('%s: two instances in one group, one killed mid-run: totals exact', async (client) => {
    broker = await spawnBroker({ partitions: 8 });
    const dataDir = mkdtempSync(join(tmpdir(), 'ecom-pair-'));
    const brokers = broker.brokers;
    // chDB allows one process per directory, so the two group members are two processors in one
    // process that owns the store: the pair child runs both and kills one of them mid-run.
    const pair = spawnTsx('test/support/processor-pair-child.ts', [], { ...processorEnv(brokers, dataDir), KAFKA_CLIENT: client });
    children.push(pair);
    const truth = await produceDay(brokers, broker.topics, { seed: 5, timeZone: 'Asia/Kolkata', start: '2026-11-11', hours: 24, events: 20_000 }, 'kafkajs', { speed: 6000 });
    await pair.waitForLine((l): l is { killed: true } => (l as { killed?: boolean }).killed === true, { timeoutMs: 60_000, description: 'one member killed' });
    await waitAllStored(brokers, inputTopics(broker.topics));
    await pair.stop('SIGTERM', 15_000);
    expect(await storedDifferences(dataDir, truth)).toEqual([]);
  });
});
