/**
 * Ground truth: what a correct pipeline must report for a simulated day, counted from the generated
 * events themselves. It deliberately shares no code with the processors, so a bug there cannot hide by
 * being repeated here; only the contract modules (schemas/) are common ground.
 */
import { CAMPAIGN_COUNTERS, SKU_COUNTERS, UNATTRIBUTED, zeroCounters, type CampaignCounters, type SkuCounters } from '../schemas/counters.js';
import { METRICS, type MetricId, type Status } from '../schemas/metric-catalog.js';
import { evaluateMetric, stockCover, type MetricValue } from '../schemas/metric-math.js';
import { REJECT_REASONS, type RejectReason } from '../schemas/reasons.js';
import { STREAMS, type Stream, type TopicNames } from '../schemas/topics.js';
import type { ShareName, SimulationConfig } from './config.js';
import type { ScenarioReport } from './scenario.js';
import { deadLetterReason, type SimMessage, type TimedEvent } from './messages.js';

export const TRUTH_VERSION = 1;

export interface HourKey {
  /** UTC instant of the local hour's start, ISO 8601 (Asia/Kolkata 10:00 = '...T04:30:00.000Z'). */
  hour: string;
  /** The same hour on the shop's wall clock: 'YYYY-MM-DD HH:00'. */
  hour_local: string;
}

export interface CampaignHourRow extends HourKey {
  campaign_id: string;
  channel: string;
  counters: CampaignCounters;
  metrics: Record<MetricId, MetricValue>;
}

export interface SkuHourRow extends HourKey {
  sku: string;
  counters: SkuCounters;
  /** Sum over warehouses of each one's latest snapshot in the hour (by event time); null without snapshots. */
  available: number | null;
  stock_signal: StockSignal;
}

/** The stock-out warning at the hour's close, worked out from the generated events alone. */
export interface StockSignal {
  /** Every warehouse's latest snapshot up to the hour's close, summed; null before the SKU's first snapshot. */
  available_at_close: number | null;
  net_units_sold: number;
  hours_of_cover: number | null;
  status: Status;
  /** Cart adds (and their units) in an hour that began and closed with the SKU at zero stock. */
  lost_cart_adds: number;
  lost_units: number;
}

export interface Truth {
  version: typeof TRUTH_VERSION;
  options: {
    seed: number;
    time_zone: string;
    start: string;
    hours: number;
    events: number;
    currency: string;
    shares: Record<ShareName, number>;
    inventory_share: number;
    incident: { at: string; minutes: number; failure_rate: number };
    sellout_at: string;
    surge: { at: string; minutes: number; factor: number; campaign: string };
  };
  period: { start: string; end: string; start_local: string; end_local: string };
  topics: TopicNames;
  /** Everything sent, duplicates and malformed messages included. */
  messages: { total: number; by_stream: Record<Stream, number>; by_topic: Record<string, number> };
  /** Distinct events a correct pipeline counts. */
  counted: Record<Stream, number>;
  duplicates: Record<Stream, number>;
  dead_letters: Record<RejectReason, number>;
  dead_letters_by_topic: Record<string, Partial<Record<RejectReason, number>>>;
  campaign_hours: CampaignHourRow[];
  sku_hours: SkuHourRow[];
  scenario: ScenarioReport;
}

interface SkuHour {
  counters: SkuCounters;
  /** Latest snapshot per warehouse ('' = none) in the hour. */
  stock: Map<string, { timeMs: number; available: number }>;
}

export class TruthBuilder {
  private readonly sent = perStream();
  private readonly counted = perStream();
  private readonly duplicates = perStream();
  private readonly deadLetters = zeroCounters(REJECT_REASONS);
  private readonly deadLettersByStream = new Map<Stream, Partial<Record<RejectReason, number>>>();
  /** hour start ms -> "campaign\0channel" -> counters */
  private readonly campaignHours = new Map<number, Map<string, CampaignCounters>>();
  private readonly skuHours = new Map<number, Map<string, SkuHour>>();

  constructor(
    private readonly config: SimulationConfig,
    private readonly topics: TopicNames,
  ) {}

  add(message: SimMessage): void {
    this.sent[message.stream]++;
    const reason = deadLetterReason(message.expected);
    if (reason !== undefined) {
      this.deadLetters[reason]++;
      const byReason = this.deadLettersByStream.get(message.stream) ?? {};
      byReason[reason] = (byReason[reason] ?? 0) + 1;
      this.deadLettersByStream.set(message.stream, byReason);
    } else if (message.expected === 'duplicate') {
      this.duplicates[message.stream]++;
    } else {
      if (message.event === undefined) throw new Error('a counted message must carry its event');
      this.counted[message.stream]++;
      this.count(message.event);
    }
  }

  finish(scenario: ScenarioReport): Truth {
    const { config, topics } = this;
    const zone = config.zone;
    const hourKey = (ms: number): HourKey => ({ hour: new Date(ms).toISOString(), hour_local: zone.hourLabel(ms) });
    const campaign_hours: CampaignHourRow[] = [];
    for (const [hourMs, cells] of sortedByKey(this.campaignHours)) {
      for (const [cell, counters] of sortedByKey(cells)) {
        const [campaign_id, channel] = cell.split('\u0000') as [string, string];
        const metrics = Object.fromEntries(METRICS.map((m) => [m.id, evaluateMetric(m, counters)])) as Record<MetricId, MetricValue>;
        campaign_hours.push({ ...hourKey(hourMs), campaign_id, channel, counters, metrics });
      }
    }
    const sku_hours: SkuHourRow[] = [];
    const closing = new ClosingStock();
    for (const [hourMs, skus] of sortedByKey(this.skuHours)) {
      for (const [sku, { counters, stock }] of sortedByKey(skus)) {
        let available: number | null = null;
        for (const snapshot of stock.values()) available = (available ?? 0) + snapshot.available;
        sku_hours.push({ ...hourKey(hourMs), sku, counters, available, stock_signal: closing.close(sku, counters, stock) });
      }
    }
    const by_topic: Record<string, number> = {};
    const dead_letters_by_topic: Record<string, Partial<Record<RejectReason, number>>> = {};
    for (const stream of STREAMS) {
      by_topic[topics[stream]] = this.sent[stream];
      dead_letters_by_topic[topics[stream]] = this.deadLettersByStream.get(stream) ?? {};
    }
    return {
      version: TRUTH_VERSION,
      options: {
        seed: config.seed,
        time_zone: config.timeZone,
        start: config.start,
        hours: config.hours,
        events: config.events,
        currency: config.currency,
        shares: config.shares,
        inventory_share: config.inventoryShare,
        incident: { at: config.incident.at, minutes: config.incident.minutes, failure_rate: config.incident.failureRate },
        sellout_at: config.selloutAt,
        surge: config.surge,
      },
      period: {
        start: new Date(config.startMs).toISOString(),
        end: new Date(config.endMs).toISOString(),
        start_local: zone.clockLabel(config.startMs),
        end_local: zone.clockLabel(config.endMs),
      },
      topics,
      messages: { total: STREAMS.reduce((n, s) => n + this.sent[s], 0), by_stream: this.sent, by_topic },
      counted: this.counted,
      duplicates: this.duplicates,
      dead_letters: this.deadLetters,
      dead_letters_by_topic,
      campaign_hours,
      sku_hours,
      scenario,
    };
  }

  private count(event: TimedEvent): void {
    const hourMs = this.config.zone.hourStart(event.timeMs);
    switch (event.stream) {
      case 'click': {
        const c = this.campaignCell(hourMs, event.body.campaign_id, event.body.channel);
        if (event.body.type === 'impression') c.impressions++;
        else c.clicks++;
        c.spend_micros += event.body.cost_micros;
        return;
      }
      case 'cart': {
        const { type, campaign_id, channel, sku, quantity } = event.body;
        const c = this.campaignCell(hourMs, campaign_id, channel);
        if (type === 'remove') {
          c.cart_removes++;
          return;
        }
        c.cart_adds++;
        const s = this.skuCell(hourMs, sku).counters;
        s.cart_adds++;
        s.cart_add_units += quantity;
        return;
      }
      case 'payment': {
        const { status, campaign_id, channel, amount_micros, items } = event.body;
        const c = this.campaignCell(hourMs, campaign_id, channel);
        if (status === 'failed') {
          c.failed_payments++;
          return;
        }
        const units = status === 'succeeded' ? 'units_sold' : 'units_refunded';
        if (status === 'succeeded') {
          c.paid_orders++;
          c.paid_micros += amount_micros;
        } else {
          c.refunds++;
          c.refunded_micros += amount_micros;
        }
        for (const item of items) this.skuCell(hourMs, item.sku).counters[units] += item.quantity;
        return;
      }
      case 'inventory': {
        const { sku, warehouse = '', available } = event.body;
        const stock = this.skuCell(hourMs, sku).stock;
        const latest = stock.get(warehouse);
        if (latest === undefined || event.timeMs > latest.timeMs) stock.set(warehouse, { timeMs: event.timeMs, available });
        return;
      }
    }
  }

  // Lookups without closures: these run once per counted event.
  private campaignCell(hourMs: number, campaign = UNATTRIBUTED, channel = UNATTRIBUTED): CampaignCounters {
    let cells = this.campaignHours.get(hourMs);
    if (cells === undefined) this.campaignHours.set(hourMs, (cells = new Map()));
    const key = `${campaign}\u0000${channel}`;
    let counters = cells.get(key);
    if (counters === undefined) cells.set(key, (counters = zeroCounters(CAMPAIGN_COUNTERS)));
    return counters;
  }

  private skuCell(hourMs: number, sku: string): SkuHour {
    let skus = this.skuHours.get(hourMs);
    if (skus === undefined) this.skuHours.set(hourMs, (skus = new Map()));
    let cell = skus.get(sku);
    if (cell === undefined) skus.set(sku, (cell = { counters: zeroCounters(SKU_COUNTERS), stock: new Map() }));
    return cell;
  }
}

/** Carries every warehouse's level from snapshot to snapshot, SKU by SKU, as hours close in order. */
class ClosingStock {
  private readonly levels = new Map<string, Map<string, number>>();

  close(sku: string, counters: SkuCounters, snapshots: SkuHour['stock']): StockSignal {
    let warehouses = this.levels.get(sku);
    const atStart = warehouses === undefined ? null : sum(warehouses.values());
    if (snapshots.size > 0) {
      if (warehouses === undefined) this.levels.set(sku, (warehouses = new Map()));
      for (const [warehouse, { available }] of snapshots) warehouses.set(warehouse, available);
    }
    const atClose = warehouses === undefined ? null : sum(warehouses.values());
    const net = counters.units_sold - counters.units_refunded;
    const { hoursOfCover, status } = stockCover(atClose, net, counters.cart_adds);
    const lost = atStart === 0 && atClose === 0;
    return {
      available_at_close: atClose,
      net_units_sold: net,
      hours_of_cover: hoursOfCover,
      status,
      lost_cart_adds: lost ? counters.cart_adds : 0,
      lost_units: lost ? counters.cart_add_units : 0,
    };
  }
}

function sum(values: Iterable<number>): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

function perStream(): Record<Stream, number> {
  return zeroCounters(STREAMS);
}

function sortedByKey<K extends string | number, V>(map: Map<K, V>): [K, V][] {
  return [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}
