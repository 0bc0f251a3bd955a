/**
 * Compares what the pipeline stored in ClickHouse with the simulator's ground truth and returns every
 * difference as a readable line; an empty list means exact agreement.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { CAMPAIGN_COUNTERS, SKU_COUNTERS } from '../schemas/counters.js';
import { METRICS } from '../schemas/metric-catalog.js';
import type { Truth } from './truth.js';

type Json = Record<string, string | number | null>;

async function rows(ch: ClickHouseClient, query: string): Promise<Json[]> {
  return (await ch.query({ query, format: 'JSONEachRow' })).json<Json>();
}

const iso = (seconds: string | number | null) => new Date(Number(seconds) * 1000).toISOString();

function diffMaps(what: string, expected: Map<string, string>, actual: Map<string, string>, out: string[]): void {
  for (const [k, v] of expected) {
    const a = actual.get(k);
    if (a !== v) out.push(`${what} ${k}: expected ${v}, stored ${a ?? '(missing)'}`);
  }
  for (const [k, v] of actual) if (!expected.has(k)) out.push(`${what} ${k}: not expected, stored ${v}`);
}

export async function compareWithTruth(ch: ClickHouseClient, truth: Truth): Promise<string[]> {
  const out: string[] = [];

  const campaignExpected = new Map(
    truth.campaign_hours.map((r) => [`${r.hour}|${r.campaign_id}|${r.channel}`, CAMPAIGN_COUNTERS.map((c) => r.counters[c]).join(',')]),
  );
  const campaignStored = await rows(ch, `SELECT toUnixTimestamp(hour) AS h, campaign_id, channel, ${CAMPAIGN_COUNTERS.join(', ')} FROM campaign_hourly`);
  const campaignActual = new Map(campaignStored.map((r) => [`${iso(r.h!)}|${r.campaign_id}|${r.channel}`, CAMPAIGN_COUNTERS.map((c) => Number(r[c])).join(',')]));
  diffMaps('campaign hour', campaignExpected, campaignActual, out);

  const metricsStored = await rows(ch, `SELECT toUnixTimestamp(hour) AS h, campaign_id, channel, ${METRICS.map((m) => `${m.id}, ${m.id}_status`).join(', ')} FROM campaign_metrics`);
  const metricsByKey = new Map(metricsStored.map((r) => [`${iso(r.h!)}|${r.campaign_id}|${r.channel}`, r]));
  for (const r of truth.campaign_hours) {
    const stored = metricsByKey.get(`${r.hour}|${r.campaign_id}|${r.channel}`);
    if (stored === undefined) continue;
    for (const m of METRICS) {
      const expected = r.metrics[m.id];
      const value = stored[m.id] === null ? null : Number(stored[m.id]);
      const close = expected.value === null ? value === null : value !== null && Math.abs(value - expected.value) <= 1e-6 * Math.max(1, Math.abs(expected.value));
      if (!close || stored[`${m.id}_status`] !== expected.status) {
        out.push(`metric ${m.id} ${r.hour}|${r.campaign_id}|${r.channel}: expected ${expected.value} ${expected.status}, stored ${value} ${stored[`${m.id}_status`]}`);
      }
    }
  }

  const skuExpected = new Map(
    truth.sku_hours
      .filter((r) => SKU_COUNTERS.some((c) => r.counters[c] !== 0))
      .map((r) => [`${r.hour}|${r.sku}`, SKU_COUNTERS.map((c) => r.counters[c]).join(',')]),
  );
  const skuStored = await rows(ch, `SELECT toUnixTimestamp(hour) AS h, sku, ${SKU_COUNTERS.join(', ')} FROM sku_hourly`);
  diffMaps('sku hour', skuExpected, new Map(skuStored.map((r) => [`${iso(r.h!)}|${r.sku}`, SKU_COUNTERS.map((c) => Number(r[c])).join(',')])), out);

  const stockExpected = new Map(truth.sku_hours.filter((r) => r.available !== null).map((r) => [`${r.hour}|${r.sku}`, String(r.available)]));
  const stockStored = await rows(ch, 'SELECT toUnixTimestamp(hour) AS h, sku, available FROM sku_stock_hourly');
  diffMaps('stock', stockExpected, new Map(stockStored.map((r) => [`${iso(r.h!)}|${r.sku}`, String(Number(r.available))])), out);

  const deadExpected = new Map(Object.entries(truth.dead_letters).filter(([, n]) => n > 0).map(([k, n]) => [k, String(n)]));
  const deadStored = await rows(ch, 'SELECT reason, sum(messages) AS n FROM dead_letters GROUP BY reason');
  diffMaps('dead letters', deadExpected, new Map(deadStored.map((r) => [String(r.reason), String(Number(r.n))])), out);
  return out;
}
