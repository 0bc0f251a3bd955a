/**
 * Every ClickHouse query of the committed dashboards, expanded as Grafana and the ClickHouse plugin
 * would, runs against chDB loaded with a simulated day and returns the ground truth's values: the
 * simulator's Truth, counted from the generated events without the processors. Checked for several
 * selections of the template variables and several moments ("now" mid-hour and exactly on an hour).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLICKHOUSE } from '../../dashboards/datasources.js';
import { DASHBOARDS_DIR } from '../../dashboards/render-files.js';
import { openClickHouse } from '../../processors/clickhouse/client.js';
import { CAMPAIGN_COUNTERS, zeroCounters, type CampaignCounters } from '../../schemas/counters.js';
import { METRICS, type MetricDefinition } from '../../schemas/metric-catalog.js';
import { evaluateMetric } from '../../schemas/metric-math.js';
import { computeTruth, type CampaignHourRow, type Truth } from '../../simulator/index.js';
import { expandGrafanaQuery, type DashboardState } from '../support/grafana-query.js';
import { migrate } from '../../processors/clickhouse/migrate.js';
import { loadSimulatedDay } from '../support/simulated-day.js';
import { testConfig } from '../support/test-config.js';

const HOUR_MS = 3_600_000;
const simulation = { seed: 23, timeZone: 'Asia/Kathmandu', start: '2026-11-11', hours: 24, events: 300_000 };

interface Target {
  datasource: { uid: string };
  rawSql: string;
}
interface Panel {
  type: string;
  title: string;
  targets?: Target[];
}
interface Dashboard {
  title: string;
  panels: Panel[];
  templating: { list?: { name: string; query: string; datasource: { uid: string } }[] };
}

const dashboards: Dashboard[] = readdirSync(DASHBOARDS_DIR)
  .filter((f) => f.endsWith('.json'))
  .map((f) => JSON.parse(readFileSync(`${DASHBOARDS_DIR}/${f}`, 'utf8')) as Dashboard);
const clickhousePanels = dashboards.flatMap((d) => d.panels.filter((p) => p.targets?.some((t) => t.datasource.uid === CLICKHOUSE.uid)).map((p) => ({ ...p, dashboard: d.title })));

type Row = Record<string, string | number | null>;

let ch: ClickHouseClient;
let truth: Truth;

async function run(sql: string, state: DashboardState): Promise<Row[]> {
  return (await ch.query({ query: expandGrafanaQuery(sql, state), format: 'JSONEachRow' })).json<Row>();
}

/** DateTime('UTC') columns come back as 'YYYY-MM-DD hh:mm:ss' in UTC. */
const isoOf = (utc: string | number | null) => new Date(`${String(utc).replace(' ', 'T')}Z`).toISOString();

/** What a panel must show: the catalog metric of the summed counters, or nothing below the minimum volume. */
function expected(metric: MetricDefinition, rows: readonly CampaignHourRow[]): number | null {
  const counters: CampaignCounters = zeroCounters(CAMPAIGN_COUNTERS);
  for (const r of rows) for (const c of CAMPAIGN_COUNTERS) counters[c] += r.counters[c];
  const { value, status } = evaluateMetric(metric, counters);
  return status === 'insufficient' ? null : value;
}

function expectClose(actual: string | number | null | undefined, wanted: number | null, where: string): void {
  if (wanted === null) return expect(actual, where).toBeNull();
  expect(actual, where).not.toBeNull();
  // Money is Decimal with 6 places in the views, so agreement is to the micro-unit.
  expect(Math.abs(Number(actual) - wanted), `${where}: ${actual} vs ${wanted}`).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(wanted)));
}

function metricColumn(row: Row | undefined, panel: string): MetricDefinition {
  const metric = METRICS.find((m) => row !== undefined && m.id in row);
  if (metric === undefined) throw new Error(`${panel}: no catalog metric column in ${JSON.stringify(row)}`);
  return metric;
}

beforeAll(async () => {
  truth = computeTruth(simulation);
  ch = await openClickHouse(testConfig(['127.0.0.1:9'], { PIPELINE_TZ: simulation.timeZone }).clickhouse);
  await migrate(ch);
  await loadSimulatedDay(ch, simulation, 3);
});

afterAll(async () => {
  await ch?.close();
});

describe('dashboard queries against a simulated day in chDB', () => {
  it('covers the ClickHouse panels of the committed dashboards', () => {
    expect(clickhousePanels.map((p) => p.type).sort()).toEqual([...Array(METRICS.length).fill('stat'), ...Array(METRICS.length).fill('timeseries'), 'table'].sort());
  });

  it('template variables offer exactly the campaigns and channels with data in the range', async () => {
    const day: DashboardState = { fromMs: Date.parse(truth.period.start), toMs: Date.parse(truth.period.end) - 1, variables: {} };
    for (const variable of dashboards.flatMap((d) => d.templating.list ?? [])) {
      const column = variable.name === 'campaign' ? 'campaign_id' : 'channel';
      const offered = (await run(variable.query, day)).map((r) => String(r[column]));
      expect(offered, variable.name).toEqual([...new Set(truth.campaign_hours.map((r) => (variable.name === 'campaign' ? r.campaign_id : r.channel)))].sort());
    }
  });

  it('every panel returns the ground truth for each selection, at several moments', async () => {
    const campaigns = [...new Set(truth.campaign_hours.map((r) => r.campaign_id))];
    const channels = [...new Set(truth.campaign_hours.map((r) => r.channel))];
    const busiest = mostFrequent(truth.campaign_hours.filter((r) => r.campaign_id !== '').map((r) => r.campaign_id));
    const itsChannel = mostFrequent(truth.campaign_hours.filter((r) => r.campaign_id === busiest).map((r) => r.channel));
    const selections = [
      { campaign: campaigns, channel: channels },
      { campaign: [busiest], channel: channels },
      { campaign: [busiest], channel: [itsChannel] },
      { campaign: campaigns.filter((c) => c !== busiest), channel: [itsChannel, ''] },
    ];
    const incidentHour = hourOfWorstPaymentFailures(truth);
    // The end of the day, the middle of the incident hour, and exactly the start of the hour after it.
    const moments = [Date.parse(truth.period.end) - 1, incidentHour + 30 * 60_000, incidentHour + HOUR_MS];

    let nonNull = 0;
    for (const variables of selections) {
      for (const toMs of moments) {
        const state: DashboardState = { fromMs: Date.parse(truth.period.start), toMs, variables };
        const selected = (r: CampaignHourRow) => variables.campaign.includes(r.campaign_id) && variables.channel.includes(r.channel);
        const currentHour = Math.floor((toMs - Date.parse(truth.period.start)) / HOUR_MS) * HOUR_MS + Date.parse(truth.period.start);
        const inHour = (hourMs: number) => (r: CampaignHourRow) => selected(r) && Date.parse(r.hour) === hourMs;
        for (const panel of clickhousePanels) {
          const where = `${panel.dashboard} / ${panel.title} / ${JSON.stringify(variables)} / to ${new Date(toMs).toISOString()}`;
          const rows = await run(panel.targets![0]!.rawSql, state);
          if (panel.type === 'stat') {
            const hourRows = truth.campaign_hours.filter(inHour(currentHour));
            expect(rows.length, where).toBe(hourRows.length === 0 ? 0 : 1);
            if (rows.length === 0) continue;
            expect(isoOf(rows[0]!.time!), where).toBe(new Date(currentHour).toISOString());
            const metric = metricColumn(rows[0], where);
            expectClose(rows[0]![metric.id], expected(metric, hourRows), where);
            if (rows[0]![metric.id] !== null) nonNull++;
          } else if (panel.type === 'timeseries') {
            const hours = [...new Set(truth.campaign_hours.filter((r) => selected(r) && Date.parse(r.hour) <= toMs).map((r) => r.hour))];
            expect(rows.map((r) => isoOf(r.time!)), where).toEqual(hours);
            const metric = metricColumn(rows[0], where);
            for (const row of rows) {
              const hourRows = truth.campaign_hours.filter(inHour(Date.parse(isoOf(row.time!))));
              expectClose(row[metric.id], expected(metric, hourRows), `${where} at ${isoOf(row.time!)}`);
            }
          } else {
            const cells = truth.campaign_hours.filter(inHour(currentHour));
            expect(rows.map((r) => `${r.campaign_id}|${r.channel}`), where).toEqual(cells.map((r) => `${r.campaign_id}|${r.channel}`));
            rows.forEach((row, i) => {
              for (const metric of METRICS) expectClose(row[metric.id], expected(metric, [cells[i]!]), `${where} ${row.campaign_id}|${row.channel} ${metric.id}`);
            });
          }
        }
      }
    }
    expect(nonNull).toBeGreaterThan(20);
  });

  it('the payment-failure light is red in the incident hour', async () => {
    const incidentHour = hourOfWorstPaymentFailures(truth);
    const panel = clickhousePanels.find((p) => p.type === 'stat' && p.title.startsWith('Payment failure rate'))!;
    const variables = { campaign: [...new Set(truth.campaign_hours.map((r) => r.campaign_id))], channel: [...new Set(truth.campaign_hours.map((r) => r.channel))] };
    const [row] = await run(panel.targets![0]!.rawSql, { fromMs: incidentHour, toMs: incidentHour + 30 * 60_000, variables });
    const metric = METRICS.find((m) => m.id === 'payment_failure_rate')!;
    expect(Number(row!.payment_failure_rate)).toBeGreaterThan(metric.thresholds.red);
  });
});

function mostFrequent(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]![0];
}

function hourOfWorstPaymentFailures(t: Truth): number {
  const byHour = new Map<string, { failed: number; attempts: number }>();
  for (const r of t.campaign_hours) {
    const h = byHour.get(r.hour) ?? { failed: 0, attempts: 0 };
    h.failed += r.counters.failed_payments;
    h.attempts += r.counters.failed_payments + r.counters.paid_orders;
    byHour.set(r.hour, h);
  }
  const [hour] = [...byHour].filter(([, h]) => h.attempts >= 20).sort((a, b) => b[1].failed / b[1].attempts - a[1].failed / a[1].attempts)[0]!;
  return Date.parse(hour);
}
