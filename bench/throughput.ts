/**
 * Throughput of one processor process, Kafka -> ClickHouse, over a simulated promotion day, per client,
 * next to the in-process ceiling measured in the same run. Every run is checked against the ground truth:
 * a fast wrong answer is not a result.
 *
 *   npx tsx bench/throughput.ts [--events 400000] [--runs 3] [--partitions 32] [--clients rdkafka,kafkajs]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeTruth, type SimulationOptions } from '../simulator/index.js';
import { spawnBroker } from '../test/support/broker.js';
import { produceDay } from '../test/support/pipeline.js';
import { spawnTsx } from '../test/support/tsx-child.js';
import { measureCeiling, partitionMessages } from './in-process-ceiling.js';
import { median, printTable, writeResults } from './results-file.js';

interface ProcessorRun {
  messages: number;
  startupMs: number;
  processingMs: number;
  eventsPerSecond: number;
  peakRssMb: number;
  differences: number;
  firstDifferences: string[];
}

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '400000' },
    runs: { type: 'string', default: '3' },
    partitions: { type: 'string', default: '32' },
    clients: { type: 'string', default: 'rdkafka,kafkajs' },
  },
});
const runs = Number(values.runs);
const clients = values.clients.split(',');
const simulation: SimulationOptions = { seed: 7, events: Number(values.events), timeZone: 'Asia/Kolkata', start: '2026-11-11', hours: 24 };
const work = mkdtempSync(join(tmpdir(), 'ecom-bench-'));

const broker = await spawnBroker({ partitions: Number(values.partitions) });
try {
  console.error(`producing ${simulation.events} events to the embedded broker (${values.partitions} partitions per topic)...`);
  const truth = await produceDay(broker.brokers, broker.topics, simulation, 'rdkafka');
  const truthPath = join(work, 'truth.json');
  await writeTruth(truthPath, truth);

  const runsByClient = new Map<string, ProcessorRun[]>(clients.map((c) => [c, []]));
  for (let run = 1; run <= runs; run++) {
    for (const client of clients) {
      const child = spawnTsx('bench/processor-child.ts', [], {
        KAFKA_BROKERS: broker.bootstraps,
        KAFKA_CLIENT: client,
        KAFKA_GROUP_ID: `bench-${client}-${run}`,
        CLICKHOUSE_DATA_DIR: join(work, `chdb-${client}-${run}`),
        CLICKHOUSE_DATABASE: 'bench',
        PIPELINE_TZ: simulation.timeZone!,
        LOG_LEVEL: 'warn',
        BENCH_MESSAGES: String(truth.messages.total),
        BENCH_TRUTH: truthPath,
      });
      const { result } = await child.waitForLine((l): l is { result: ProcessorRun } => typeof (l as { result?: unknown }).result === 'object', {
        timeoutMs: 600_000,
        description: `${client} run ${run} result`,
      });
      await child.stop();
      rmSync(join(work, `chdb-${client}-${run}`), { recursive: true, force: true });
      if (result.differences !== 0) throw new Error(`${client} run ${run}: ClickHouse differs from the ground truth in ${result.differences} places, first: ${result.firstDifferences.join("; ")}`);
      runsByClient.get(client)!.push(result);
      console.error(`run ${run}/${runs} ${client}: ${result.eventsPerSecond.toLocaleString('en-US')} events/s, exact`);
    }
  }

  const partitioned = partitionMessages(simulation, Number(values.partitions));
  const ceilings = Array.from({ length: runs }, () => measureCeiling(partitioned, simulation.timeZone!).eventsPerSecond);
  const ceiling = median(ceilings);

  const rows = [...runsByClient].map(([client, list]) => {
    const rate = median(list.map((r) => r.eventsPerSecond));
    return {
      what: `processor, ${client}`,
      'events/s (median)': Math.round(rate),
      'of ceiling': `${Math.round((rate / ceiling) * 100)}%`,
      'processing s': median(list.map((r) => r.processingMs)) / 1000,
      'start-up s': median(list.map((r) => r.startupMs)) / 1000,
      'peak RSS MB': median(list.map((r) => r.peakRssMb)),
    };
  });
  rows.push({ what: 'in-process ceiling (no I/O)', 'events/s (median)': ceiling, 'of ceiling': '100%', 'processing s': 0, 'start-up s': 0, 'peak RSS MB': 0 });
  printTable(`Throughput: ${truth.messages.total.toLocaleString('en-US')} messages, medians of ${runs} runs, every run exact against the ground truth`, rows);
  const path = writeResults('throughput', { simulation, messages: truth.messages.total, runs: Object.fromEntries(runsByClient), ceilings, table: rows });
  console.error(`written ${path}`);
} finally {
  await broker.stop();
  rmSync(work, { recursive: true, force: true });
}
