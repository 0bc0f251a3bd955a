/**
 * Issue 3, tests 2 and 3: processors as real child processes (`npm start`'s entry point), SIGKILLed at
 * random moments while the simulator produces, restarted each time, one after another on the same chDB
 * directory (chDB allows one process per directory). Then two instances in one group, one killed.
 * Final totals must equal the ground truth exactly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inputTopics } from '../../schemas/topics.js';
import { spawnBroker } from '../support/broker.js';
import { produceDay } from '../support/pipeline.js';
import { processorEnv, seededRandom, startProcessor, storedDifferences, waitAllStored, waitAssigned, type ProcessorTarget } from '../support/processor-runs.js';
import { spawnTsx, type TsxChild } from '../support/tsx-child.js';
import { stopProcessesAfterEach } from '../support/test-processes.js';

const processes = stopProcessesAfterEach();

function target(brokers: string[], dataDir: string): ProcessorTarget {
  return { brokers, dataDir, groupId: 'crash-test', database: 'crash' };
}

function start(processors: ProcessorTarget, client: string): TsxChild {
  return processes.track(startProcessor(processors, { KAFKA_CLIENT: client }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('SIGKILL at random moments', () => {
  it('a processor killed 12 times while the day is produced and processed ends with exact totals', async () => {
    const broker = (processes.broker = await spawnBroker({ partitions: 8 }));
    const processors = target(broker.brokers, mkdtempSync(join(tmpdir(), 'ecom-crash-')));
    // The simulator paces a day over ~20 s, so the kills land while messages keep arriving.
    const producing = produceDay(broker.brokers, broker.topics, { seed: 3, timeZone: 'Asia/Kolkata', start: '2026-11-11', hours: 24, events: 30_000 }, 'rdkafka', { speed: 4320 });
    const next = seededRandom(12345);
    let kills = 0;
    for (; kills < 12; kills++) {
      const child = start(processors, kills % 2 === 0 ? 'kafkajs' : 'rdkafka');
      await waitAssigned(child);
      await sleep(300 + next() * 1500);
      await child.stop('SIGKILL');
    }
    const truth = await producing;
    const last = start(processors, 'kafkajs');
    await waitAllStored(processors, inputTopics(broker.topics));
    await last.stop('SIGTERM', 15_000);
    expect(kills).toBe(12);
    expect(await storedDifferences(processors, truth)).toEqual([]);
  });

  it.each(['kafkajs', 'rdkafka'])('%s: two instances in one group, one killed mid-run: totals exact', async (client) => {
    const broker = (processes.broker = await spawnBroker({ partitions: 8 }));
    const processors = target(broker.brokers, mkdtempSync(join(tmpdir(), 'ecom-pair-')));
    // chDB allows one process per directory, so the two group members are two processors in one
    // process that owns the store: the pair child runs both and kills one of them mid-run.
    const pair = processes.track(spawnTsx('test/support/processor-pair-child.ts', [], { ...processorEnv(processors), KAFKA_CLIENT: client }));
        const truth = await produceDay(broker.brokers, broker.topics, { seed: 5, timeZone: 'Asia/Kolkata', start: '2026-11-11', hours: 24, events: 20_000 }, 'kafkajs', { speed: 6000 });
    await pair.waitForLine((l): l is { killed: true } => (l as { killed?: boolean }).killed === true, { timeoutMs: 60_000, description: 'one member killed' });
    await waitAllStored(processors, inputTopics(broker.topics));
    await pair.stop('SIGTERM', 15_000);
    expect(await storedDifferences(processors, truth)).toEqual([]);
  });
});
