/**
 * Throughput of one processor process, Kafka -> ClickHouse, over a simulated promotion day, per client,
 * next to the in-process ceiling and the ClickHouse-native peer measured in the same run. Every run is checked against the ground truth:
 * a fast wrong answer is not a result.
 *
 *   npx tsx bench/throughput.ts [--events 400000] [--runs 3] [--partitions 32] [--clients rdkafka,kafkajs]
 */
import { parseArgs } from 'node:util';
import { childEnv, produceBenchDay, runToResult, type ChildResult } from './children.js';
import { measureCeiling, partitionMessages } from './in-process-ceiling.js';
import { median, printTable, writeResults } from './results-file.js';

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
const day = await produceBenchDay(Number(values.events), Number(values.partitions));
try {
  const { truth } = day;
  const runChild = (script: string, client: string, run: number, extra: Record<string, string>) =>
    runToResult(script, childEnv(day, client, `bench-${script.replace(/\W/g, '')}-${client}-${run}`, day.scratch('chdb'), extra));

  const processorRuns = new Map<string, ChildResult[]>(clients.map((c) => [c, []]));
  const peerRuns = new Map<string, ChildResult[]>(clients.map((c) => [c, []]));
  for (let run = 1; run <= runs; run++) {
    for (const client of clients) {
      const result = await runChild('bench/processor-child.ts', client, run, { BENCH_TRUTH: day.truthPath });
      if (result.differences !== 0) throw new Error(`${client} run ${run}: ClickHouse differs from the ground truth in ${result.differences} places, first: ${result.firstDifferences?.join('; ')}`);
      processorRuns.get(client)!.push(result);
      console.error(`run ${run}/${runs} processor ${client}: ${result.eventsPerSecond.toLocaleString('en-US')} events/s, exact`);
      const peer = await runChild('bench/clickhouse-native-peer.ts', client, run, {});
      peerRuns.get(client)!.push(peer);
      console.error(`run ${run}/${runs} peer ${client}: ${peer.eventsPerSecond.toLocaleString('en-US')} events/s`);
    }
  }

  const partitioned = partitionMessages(day.simulation, Number(values.partitions));
  const ceilings = Array.from({ length: runs }, () => measureCeiling(partitioned, day.simulation.timeZone!).eventsPerSecond);
  const ceiling = median(ceilings);

  const summary = (what: string, list: ChildResult[], peerRate?: number) => {
    const rate = median(list.map((r) => r.eventsPerSecond));
    return {
      what,
      'events/s (median)': Math.round(rate),
      'vs ceiling': `${Math.round((rate / ceiling) * 100)}%`,
      'vs peer': peerRate === undefined ? '' : `${(rate / peerRate).toFixed(2)}x`,
      'processing s': median(list.map((r) => r.processingMs)) / 1000,
      'start-up s': median(list.map((r) => r.startupMs)) / 1000,
      'peak RSS MB': median(list.map((r) => r.peakRssMb)),
    };
  };
  const rows = clients.flatMap((client) => {
    const peerRate = median(peerRuns.get(client)!.map((r) => r.eventsPerSecond));
    return [summary(`processor, ${client} (exact)`, processorRuns.get(client)!, peerRate), summary(`ClickHouse-native peer, ${client} (no dedup)`, peerRuns.get(client)!)];
  });
  rows.push({ what: 'in-process ceiling (no I/O)', 'events/s (median)': ceiling, 'vs ceiling': '100%', 'vs peer': '', 'processing s': 0, 'start-up s': 0, 'peak RSS MB': 0 });
  printTable(`Throughput: ${truth.messages.total.toLocaleString('en-US')} messages, medians of ${runs} runs, every run exact against the ground truth`, rows);
  const path = writeResults('throughput', { simulation: day.simulation, messages: truth.messages.total, processor: Object.fromEntries(processorRuns), peer: Object.fromEntries(peerRuns), ceilings, table: rows });
  console.error(`written ${path}`);
} finally {
  await day.close();
}
