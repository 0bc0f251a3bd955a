/**
 * Memory of a processor's state: heap per active (hour, campaign, channel) row, per remembered event id,
 * and heap against the number of events over a fixed key set (it must stay flat once the dedup window
 * is full). In-process with the processors' own code; run with --expose-gc so every reading is after a
 * full collection:
 *
 *   node --expose-gc --import tsx bench/memory.ts
 */
import { loadConfig } from '../processors/config.js';
import { processContext, processMessage } from '../processors/pipeline/process-message.js';
import { NO_PROGRESS, PartitionState } from '../processors/state/partition-state.js';
import { DEFAULT_TOPICS } from '../schemas/topics.js';
import { printTable, writeResults } from './results-file.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with node --expose-gc --import tsx bench/memory.ts');
const heap = () => {
  gc();
  gc();
  return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
};

const { pipeline } = loadConfig({ KAFKA_BROKERS: '127.0.0.1:9', PIPELINE_TZ: 'UTC' });
const ctx = processContext(pipeline, DEFAULT_TOPICS);
const HOUR = Date.parse('2026-11-11T10:00:00Z');

function click(i: number, campaign: number, hour: number): Buffer {
  const time = new Date(HOUR + hour * 3_600_000 + (i % 3_600_000)).toISOString();
  return Buffer.from(
    `{"schema_version":1,"event_id":"e-${i}","event_time":"${time}","type":"click","user_id":"u-${i % 997}","campaign_id":"cmp-${campaign}","channel":"search","cost_micros":1200,"currency":"${pipeline.currency}"}`,
  );
}

/** Heap per active row: `keys` distinct campaigns in one hour, one event each, dedup window kept tiny. */
function bytesPerRow(keys: number): number {
  const before = heap();
  const state = new PartitionState(DEFAULT_TOPICS.click, 0, 'click', NO_PROGRESS, 1_000, keys);
  for (let i = 0; i < keys; i++) processMessage(state, { offset: i, key: null, value: click(i, i, 0), timestampMs: HOUR }, ctx);
  state.dirty = [];
  const bytes = heap() - before;
  if (state.counted !== keys) throw new Error(`expected ${keys} counted, got ${state.counted}`);
  return bytes / keys;
}

/** Heap after `events` events over 1,000 campaigns in 24 hours, with the default dedup window. */
function heapAfter(events: number): { bytes: number; remembered: number; dedupBytes: number } {
  const before = heap();
  const state = new PartitionState(DEFAULT_TOPICS.click, 0, 'click', NO_PROGRESS, pipeline.dedupWindow, pipeline.maxKeysPerHour);
  for (let i = 0; i < events; i++) {
    processMessage(state, { offset: i, key: null, value: click(i, i % 1000, Math.floor((i / events) * 24)), timestampMs: HOUR + 86_400_000 }, ctx);
    // A flush takes the changed rows every second; without it they would be the only thing growing.
    if (i % 50_000 === 0) state.dirty = [];
  }
  state.dirty = [];
  return { bytes: heap() - before, remembered: state.dedup.remembered, dedupBytes: state.dedup.allocatedBytes };
}

const rowRows = [10_000, 50_000, 100_000].map((keys) => ({ 'active rows': keys, 'heap bytes per row': Math.round(bytesPerRow(keys)) }));
printTable('Memory per active (hour, campaign, channel) row', rowRows);

const growth = [250_000, 500_000, 1_000_000, 2_000_000].map((events) => {
  const r = heapAfter(events);
  return {
    events,
    'heap MB': Math.round(r.bytes / 2 ** 20),
    'remembered ids': r.remembered,
    'dedup bytes per id': Math.round(r.dedupBytes / Math.max(1, r.remembered)),
  };
});
printTable(`Heap against events (1,000 campaigns x 24 h, DEDUP_WINDOW ${pipeline.dedupWindow.toLocaleString('en-US')} per partition): flat once the window is full`, growth);
console.error(`written ${writeResults('memory', { rows: rowRows, growth })}`);
