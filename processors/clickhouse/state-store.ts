/**
 * Reads and writes processor state in ClickHouse. Writes go rows first, progress last: a progress row
 * promises that every row of its flush is stored. Loading takes the latest version of each row
 * (FINAL), so rows of a flush that crashed before its progress row carry their own offsets and the
 * replayed messages skip exactly those rows.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { CAMPAIGN_COUNTERS, SKU_COUNTERS } from '../../schemas/counters.js';
import type { RejectReason } from '../../schemas/reasons.js';
import type { Stream } from '../../schemas/topics.js';
import { NO_PROGRESS, PartitionState, type Progress } from '../state/partition-state.js';
import type { Snapshot } from '../state/snapshot.js';

const HOUR_MS = 3_600_000;

export interface LoadOptions {
  allowedLatenessMs: number;
  dedupWindow: number;
  maxKeysPerHour: number;
}

type Json = Record<string, string | number>;

export class StateStore {
  constructor(private readonly ch: ClickHouseClient) {}

  async write(snapshot: Snapshot): Promise<void> {
    const tables: [string, Snapshot['campaign']][] = [
      ['campaign_hourly_state', snapshot.campaign],
      ['sku_hourly_state', snapshot.sku],
      ['inventory_hourly_state', snapshot.inventory],
      ['rejection_state', snapshot.rejections],
    ];
    await Promise.all(tables.filter(([, rows]) => rows.length > 0).map(([table, values]) => this.ch.insert({ table, values, format: 'JSONEachRow' })));
    if (snapshot.progress.length > 0) await this.ch.insert({ table: 'partition_progress', values: snapshot.progress, format: 'JSONEachRow' });
  }

  async loadPartition(topic: string, partition: number, stream: Stream, options: LoadOptions): Promise<PartitionState> {
    const params = { topic, partition };
    const [progressRow] = await this.rows(
      `SELECT source_offset, toUnixTimestamp64Milli(watermark) AS watermark_ms, counted, duplicates, dead_letters
       FROM partition_progress FINAL WHERE source_topic = {topic:String} AND source_partition = {partition:UInt32}`,
      params,
    );
    const progress: Progress = progressRow
      ? {
          offset: Number(progressRow.source_offset),
          watermarkMs: Number(progressRow.watermark_ms),
          counted: Number(progressRow.counted),
          duplicates: Number(progressRow.duplicates),
          deadLetters: Number(progressRow.dead_letters),
        }
      : NO_PROGRESS;
    const state = new PartitionState(topic, partition, stream, progress, options.dedupWindow, options.maxKeysPerHour);
    // Rows older than the lateness horizon can no longer change; a partial flush's rows can be newer than progress.
    const since = Math.max(0, Math.floor((progress.watermarkMs - options.allowedLatenessMs - HOUR_MS) / 1000));
    const scoped = { ...params, since };
    const where = 'source_topic = {topic:String} AND source_partition = {partition:UInt32} AND hour >= toDateTime({since:UInt32})';

    const [campaign, sku, inventory, rejections] = await Promise.all([
      this.rows(`SELECT toUnixTimestamp(hour) AS h, campaign_id, channel, ${CAMPAIGN_COUNTERS.join(', ')}, first_offset, source_offset FROM campaign_hourly_state FINAL WHERE ${where}`, scoped),
      this.rows(`SELECT toUnixTimestamp(hour) AS h, sku, ${SKU_COUNTERS.join(', ')}, first_offset, source_offset FROM sku_hourly_state FINAL WHERE ${where}`, scoped),
      this.rows(
        `SELECT toUnixTimestamp(hour) AS h, sku, warehouse, available, toUnixTimestamp64Milli(snapshot_time) AS t, snapshot_offset, first_offset, source_offset
         FROM inventory_hourly_state FINAL WHERE ${where}`,
        scoped,
      ),
      this.rows(
        `SELECT reason, messages, source_offset FROM rejection_state FINAL WHERE source_topic = {topic:String} AND source_partition = {partition:UInt32}`,
        params,
      ),
    ]);
    for (const r of campaign) {
      const hour = Number(r.h) * 1000;
      state.loadedId('campaign', hour, String(r.campaign_id), Number(r.first_offset));
      const row = state.campaignRow(hour, String(r.campaign_id), String(r.channel), Number(r.first_offset));
      CAMPAIGN_COUNTERS.forEach((name, i) => (row.counters[i] = Number(r[name])));
      row.version = Number(r.source_offset);
    }
    for (const r of sku) {
      const hour = Number(r.h) * 1000;
      state.loadedId('sku', hour, String(r.sku), Number(r.first_offset));
      const row = state.skuRow(hour, String(r.sku), Number(r.first_offset));
      SKU_COUNTERS.forEach((name, i) => (row.counters[i] = Number(r[name])));
      row.version = Number(r.source_offset);
    }
    for (const r of inventory) {
      const hour = Number(r.h) * 1000;
      state.loadedId('inventory', hour, String(r.sku), Number(r.first_offset));
      const row = state.inventoryRow(hour, String(r.sku), String(r.warehouse), Number(r.first_offset));
      row.available = Number(r.available);
      row.snapshotTimeMs = Number(r.t);
      row.snapshotOffset = Number(r.snapshot_offset);
      row.version = Number(r.source_offset);
    }
    for (const r of rejections) {
      const row = state.rejectionRow(String(r.reason) as RejectReason);
      row.messages = Number(r.messages);
      row.version = Number(r.source_offset);
    }
    return state;
  }

  private async rows(query: string, query_params: Record<string, unknown>): Promise<Json[]> {
    const result = await this.ch.query({ query, query_params, format: 'JSONEachRow' });
    return result.json<Json>();
  }
}
