/**
 * Everything one processor knows about one source topic-partition: cumulative counters per
 * (hour, key), each row tagged with the offset it was last stored at.
 *
 * Counters are cumulative from the partition's first message, so the row for a key at offset N is a
 * pure function of the partition's messages up to N. That is what makes a replay exact: a message at
 * offset x is added to a row only when x is beyond the row's stored version.
 */
import { CAMPAIGN_COUNTERS, OVERFLOW_KEY, SKU_COUNTERS, UNATTRIBUTED, type CampaignCounter, type SkuCounter } from '../../schemas/counters.js';
import type { RejectReason } from '../../schemas/reasons.js';
import type { Stream } from '../../schemas/topics.js';
import { DedupWindow } from '../dedup/dedup-window.js';
import { HourKeys } from './hour-keys.js';

/** Row versions start here for rows that were never stored. */
export const NEVER_STORED = -1;

interface Versioned {
  /** Offset up to which this row is stored in ClickHouse; NEVER_STORED if it is not. */
  version: number;
  dirty: boolean;
}

interface Keyed extends Versioned {
  /** Offset of the message that created the row: how the key bound (hour-keys.ts) is replayed. */
  readonly firstOffset: number;
}

/** The ids whose distinct count per hour is bounded by MAX_KEYS_PER_HOUR. */
export type BoundedKind = 'campaign' | 'sku' | 'inventory';

export interface CampaignRow extends Keyed {
  readonly hour: number;
  readonly campaignId: string;
  readonly channel: string;
  /** Indexed like CAMPAIGN_COUNTERS. */
  readonly counters: number[];
}

export interface SkuRow extends Keyed {
  readonly hour: number;
  readonly sku: string;
  /** Indexed like SKU_COUNTERS. */
  readonly counters: number[];
}

export interface InventoryRow extends Keyed {
  readonly hour: number;
  readonly sku: string;
  readonly warehouse: string;
  available: number;
  snapshotTimeMs: number;
  snapshotOffset: number;
}

export interface RejectionRow extends Versioned {
  readonly reason: RejectReason;
  messages: number;
}

export const CAMPAIGN_INDEX = Object.fromEntries(CAMPAIGN_COUNTERS.map((c, i) => [c, i])) as Record<CampaignCounter, number>;
export const SKU_INDEX = Object.fromEntries(SKU_COUNTERS.map((c, i) => [c, i])) as Record<SkuCounter, number>;

/** What a partition's last complete flush left in ClickHouse. */
export interface Progress {
  /** Last offset whose effects are all stored; -1 before the first flush. */
  offset: number;
  watermarkMs: number;
  counted: number;
  duplicates: number;
  deadLetters: number;
}

export const NO_PROGRESS: Progress = { offset: -1, watermarkMs: 0, counted: 0, duplicates: 0, deadLetters: 0 };

export class PartitionState {
  /** Last offset processed in this process (beyond `stored.offset` until the next flush). */
  position: number;
  watermarkMs: number;
  counted: number;
  duplicates: number;
  deadLetters: number;
  /** Ids counted under OVERFLOW_KEY by this process (a replay counts them again, like `counted`). */
  overflowed = 0;
  readonly dedup: DedupWindow;
  readonly campaign = new Map<number, Map<string, Map<string, CampaignRow>>>();
  readonly sku = new Map<number, Map<string, SkuRow>>();
  readonly inventory = new Map<number, Map<string, Map<string, InventoryRow>>>();
  readonly rejections = new Map<RejectReason, RejectionRow>();
  private readonly keys: Record<BoundedKind, Map<number, HourKeys>> = { campaign: new Map(), sku: new Map(), inventory: new Map() };
  /** Rows changed since the last snapshot, so a flush does not scan every key. */
  dirty: Versioned[] = [];

  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly stream: Stream,
    /** The last complete flush as loaded from ClickHouse; replaced after every successful flush. */
    public stored: Progress,
    dedupWindow: number,
    private readonly maxKeysPerHour: number,
  ) {
    this.position = stored.offset;
    this.watermarkMs = stored.watermarkMs;
    this.counted = stored.counted;
    this.duplicates = stored.duplicates;
    this.deadLetters = stored.deadLetters;
    this.dedup = new DedupWindow(dedupWindow);
  }

  /** `id`, or OVERFLOW_KEY when the hour is full (see hour-keys.ts); unattributed events are never folded. */
  boundedId(kind: BoundedKind, hour: number, id: string, offset: number): string {
    if (id === UNATTRIBUTED || this.hourKeys(kind, hour).admit(id, offset)) return id;
    this.overflowed++;
    return OVERFLOW_KEY;
  }

  /** Registers the id of a row loaded from ClickHouse with the offset it was first counted at. */
  loadedId(kind: BoundedKind, hour: number, id: string, firstOffset: number): void {
    if (id !== UNATTRIBUTED && id !== OVERFLOW_KEY) this.hourKeys(kind, hour).load(id, firstOffset);
  }

  private hourKeys(kind: BoundedKind, hour: number): HourKeys {
    const byHour = this.keys[kind];
    let keys = byHour.get(hour);
    if (keys === undefined) byHour.set(hour, (keys = new HourKeys(this.maxKeysPerHour)));
    return keys;
  }

  campaignRow(hour: number, campaignId: string, channel: string, firstOffset: number): CampaignRow {
    let byCampaign = this.campaign.get(hour);
    if (byCampaign === undefined) this.campaign.set(hour, (byCampaign = new Map()));
    let byChannel = byCampaign.get(campaignId);
    if (byChannel === undefined) byCampaign.set(campaignId, (byChannel = new Map()));
    let row = byChannel.get(channel);
    if (row === undefined) {
      row = { hour, campaignId, channel, counters: new Array(CAMPAIGN_COUNTERS.length).fill(0), firstOffset, version: NEVER_STORED, dirty: false };
      byChannel.set(channel, row);
    }
    return row;
  }

  skuRow(hour: number, sku: string, firstOffset: number): SkuRow {
    let bySku = this.sku.get(hour);
    if (bySku === undefined) this.sku.set(hour, (bySku = new Map()));
    let row = bySku.get(sku);
    if (row === undefined) {
      row = { hour, sku, counters: new Array(SKU_COUNTERS.length).fill(0), firstOffset, version: NEVER_STORED, dirty: false };
      bySku.set(sku, row);
    }
    return row;
  }

  inventoryRow(hour: number, sku: string, warehouse: string, firstOffset: number): InventoryRow {
    let bySku = this.inventory.get(hour);
    if (bySku === undefined) this.inventory.set(hour, (bySku = new Map()));
    let byWarehouse = bySku.get(sku);
    if (byWarehouse === undefined) bySku.set(sku, (byWarehouse = new Map()));
    let row = byWarehouse.get(warehouse);
    if (row === undefined) {
      row = { hour, sku, warehouse, available: 0, snapshotTimeMs: -Infinity, snapshotOffset: -1, firstOffset, version: NEVER_STORED, dirty: false };
      byWarehouse.set(warehouse, row);
    }
    return row;
  }

  rejectionRow(reason: RejectReason): RejectionRow {
    let row = this.rejections.get(reason);
    if (row === undefined) this.rejections.set(reason, (row = { reason, messages: 0, version: NEVER_STORED, dirty: false }));
    return row;
  }

  /**
   * True when the message at `offset` is not yet included in `row` (and marks the row dirty): the
   * single check that makes replayed messages count exactly once.
   */
  admits(row: Versioned, offset: number): boolean {
    if (offset <= row.version) return false;
    if (!row.dirty) {
      row.dirty = true;
      this.dirty.push(row);
    }
    return true;
  }

  /** Drops hours that can no longer change: older than the lateness horizon and already stored. */
  evictBefore(hour: number): void {
    const { campaign, sku, inventory } = this.keys;
    for (const map of [this.campaign, this.sku, this.inventory, campaign, sku, inventory] as Map<number, unknown>[]) {
      for (const h of map.keys()) if (h < hour && !this.hasDirtyRowsIn(h)) map.delete(h);
    }
  }

  private hasDirtyRowsIn(hour: number): boolean {
    return this.dirty.some((row) => (row as { hour?: number }).hour === hour);
  }
}
