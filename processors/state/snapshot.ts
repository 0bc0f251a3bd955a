/**
 * Turns the dirty rows of some partitions into ClickHouse rows stamped with each partition's current
 * position. The rows are copied, so processing can go on while the write is in flight; `restore()`
 * marks them dirty again if the write fails, and `commit()` records the new stored progress.
 */
import { CAMPAIGN_COUNTERS, SKU_COUNTERS } from '../../schemas/counters.js';
import type { CampaignRow, InventoryRow, PartitionState, Progress, RejectionRow, SkuRow } from './partition-state.js';

export type Row = Record<string, string | number>;

export interface Snapshot {
  campaign: Row[];
  sku: Row[];
  inventory: Row[];
  rejections: Row[];
  progress: Row[];
  /** Next offset to read per partition, for the Kafka commit after the write. */
  positions: { topic: string; partition: number; offset: number }[];
  restore(): void;
  commit(): void;
}

const seconds = (ms: number) => ms / 1000;
// A UTC 'YYYY-MM-DD hh:mm:ss.sss' string: a seconds string such as '0.000' would be read as a day.month date.
const dateTime64 = (ms: number) => new Date(ms).toISOString().slice(0, 23).replace('T', ' ');

export function takeSnapshot(states: Iterable<PartitionState>): Snapshot {
  const out: Omit<Snapshot, 'restore' | 'commit'> = { campaign: [], sku: [], inventory: [], rejections: [], progress: [], positions: [] };
  const taken: { state: PartitionState; rows: PartitionState['dirty']; progress: Progress }[] = [];
  for (const state of states) {
    if (state.position <= state.stored.offset) continue;
    const version = state.position;
    const source = { source_topic: state.topic, source_partition: state.partition, source_offset: version };
    for (const row of state.dirty) {
      row.dirty = false;
      row.version = version;
      if ('campaignId' in row) out.campaign.push(campaignRow(row as CampaignRow, source));
      else if ('warehouse' in row) out.inventory.push(inventoryRow(row as InventoryRow, source));
      else if ('sku' in row) out.sku.push(skuRow(row as SkuRow, source));
      else out.rejections.push({ ...source, reason: (row as RejectionRow).reason, messages: (row as RejectionRow).messages });
    }
    const progress: Progress = {
      offset: version,
      watermarkMs: state.watermarkMs,
      counted: state.counted,
      duplicates: state.duplicates,
      deadLetters: state.deadLetters,
    };
    out.progress.push({
      ...source,
      watermark: dateTime64(progress.watermarkMs),
      counted: progress.counted,
      duplicates: progress.duplicates,
      dead_letters: progress.deadLetters,
    });
    out.positions.push({ topic: state.topic, partition: state.partition, offset: version + 1 });
    taken.push({ state, rows: state.dirty, progress });
    state.dirty = [];
  }
  return {
    ...out,
    restore() {
      for (const { state, rows } of taken) {
        for (const row of rows) {
          if (!row.dirty) {
            row.dirty = true;
            state.dirty.push(row);
          }
        }
      }
    },
    commit() {
      for (const { state, progress } of taken) if (progress.offset > state.stored.offset) state.stored = progress;
    },
  };
}

function campaignRow(row: CampaignRow, source: Row): Row {
  const out: Row = { hour: seconds(row.hour), campaign_id: row.campaignId, channel: row.channel, first_offset: row.firstOffset, ...source };
  CAMPAIGN_COUNTERS.forEach((name, i) => (out[name] = row.counters[i]!));
  return out;
}

function skuRow(row: SkuRow, source: Row): Row {
  const out: Row = { hour: seconds(row.hour), sku: row.sku, first_offset: row.firstOffset, ...source };
  SKU_COUNTERS.forEach((name, i) => (out[name] = row.counters[i]!));
  return out;
}

function inventoryRow(row: InventoryRow, source: Row): Row {
  return {
    hour: seconds(row.hour),
    sku: row.sku,
    warehouse: row.warehouse,
    ...source,
    available: row.available,
    snapshot_time: dateTime64(row.snapshotTimeMs),
    snapshot_offset: row.snapshotOffset,
    first_offset: row.firstOffset,
  };
}
