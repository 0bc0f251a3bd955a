/**
 * Every ClickHouse query of the committed dashboards, expanded as Grafana and the ClickHouse plugin
 * would, runs against chDB loaded with a simulated day and returns the ground truth's values: the
 * simulator's Truth, counted from the generated events without the processors. Two days, so that the
 * same hour yesterday and the surge exist, and a small plan loaded through the targets loader. Checked
 * for several selections of the template variables and several moments ("now" mid-hour and exactly on
 * an hour). Which truth a panel must show follows from its kind and the view it reads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLICKHOUSE } from '../../dashboards/datasources.js';
import { DASHBOARDS_DIR } from '../../dashboards/render-files.js';
import { openClickHouse } from '../../processors/clickhouse/client.js';
import { PLAN_FIELDS, planFieldName, type PlanField } from '../../dashboards/panel-sql.js';
import { CAMPAIGN_COUNTERS, zeroCounters, type CampaignCounters } from '../../schemas/counters.js';
import { METRICS, SURGE, type MetricDefinition } from '../../schemas/metric-catalog.js';
import { evaluateMetric, sumCounters } from '../../schemas/metric-math.js';
import type { CampaignHourRow, Truth } from '../../simulator/index.js';
import { expandGrafanaQuery, type DashboardState } from '../support/grafana-query.js';
import { migrate } from '../../processors/clickhouse/migrate.js';
import { decimalOfMicros, loadPlan, type PlannedTarget } from '../support/plan-targets.js';
import { loadSimulatedDay } from '../support/simulated-day.js';
import { testConfig } from '../support/test-config.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const simulation = { seed: 23, timeZone: 'Asia/Kathmandu', start: '2026-11-11', hours: 48, events: 500_000 };

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
type ClickHousePanel = (typeof clickhousePanels)[number];

/** A panel's kind and the view its query reads (the first view named after a FROM): what decides the truth it must show. */
const kindOf = (p: ClickHousePanel) => {
  const sql = p.targets![0]!.rawSql;
  return `${p.type} ${/\bAS (same_hour_yesterday)\b/.exec(sql)?.[1] ?? /\bFROM (\w+)/.exec(sql)?.[1]}`;
};

type Row = Record<string, string | number | null>;

let ch: ClickHouseClient;
let truth: Truth;
/** The plan loaded for the test, by metric and local hour; targets in the metric's unit. */
const plan = new Map<string, number>();

async function run(sql: string, state: DashboardState): Promise<Row[]> {
  return (await ch.query({ query: expandGrafanaQuery(sql, state), format: 'JSONEachRow' })).json<Row>();
}

/** DateTime('UTC') columns come back as 'YYYY-MM-DD hh:mm:ss' in UTC. */
const isoOf = (utc: string | number | null) => new Date(`${String(utc).replace(' ', 'T')}Z`).toISOString();

function summed(rows: readonly CampaignHourRow[]): CampaignCounters {
  const counters: CampaignCounters = zeroCounters(CAMPAIGN_COUNTERS);
  for (const r of rows) for (const c of CAMPAIGN_COUNTERS) counters[c] += r.counters[c];
  return counters;
}

/** What a panel must show: the catalog metric of the summed counters, or nothing below the minimum volume. */
function expected(metric: MetricDefinition, rows: readonly CampaignHourRow[]): number | null {
  const { value, status } = evaluateMetric(metric, summed(rows));
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

const rowsAt = (hourMs: number) => truth.campaign_hours.filter((r) => Date.parse(r.hour) === hourMs);
const localHourOf = (hourMs: number) => rowsAt(hourMs)[0]!.hour_local;

/**
 * Shop GMV planned at 100 %, 90 % and 50 % of what happened (green, amber, red by the catalog), in the
 * hours the test looks at; an orders and a payment-failure target once each. Hours are local, as planners write them.
 */
function planFor(hours: { hourMs: number; gmvShare: number }[]): PlannedTarget[] {
  const gmvMicros = (hourMs: number) => sumCounters(summed(rowsAt(hourMs)), METRICS.find((m) => m.id === 'gmv')!.numerator);
  const targets: PlannedTarget[] = hours.map(({ hourMs, gmvShare }) => ({ hour: localHourOf(hourMs), metric: 'gmv', target: decimalOfMicros(Math.round(gmvMicros(hourMs) / gmvShare)) }));
  const first = hours[0]!.hourMs;
  targets.push({ hour: localHourOf(first), metric: 'orders', target: String(2 * summed(rowsAt(first)).paid_orders) });
  targets.push({ hour: localHourOf(first), metric: 'payment_failure_rate', target: '0.02' });
  return targets;
}

/** The shop's plan panel: plan_attainment's fields for the current hour, from the loaded plan and the truth. */
function expectedPlan(metric: MetricDefinition, currentHour: number): Partial<Record<PlanField, number | null>> | undefined {
  const target = plan.get(`${metric.id}|${localHourOf(currentHour)}`);
  if (target === undefined) return undefined;
  const actualAt = (hourMs: number) => expected(metric, rowsAt(hourMs));
  const actual = actualAt(currentHour);
  const ratio = (a: number | null, b: number) => (a === null || b === 0 ? null : a / b);
  const planned = truth.campaign_hours.map((r) => Date.parse(r.hour)).filter((h, i, all) => all.indexOf(h) === i && h <= currentHour && plan.has(`${metric.id}|${localHourOf(h)}`));
  const planToDate = planned.reduce((n, h) => n + plan.get(`${metric.id}|${localHourOf(h)}`)!, 0);
  const actualToDate = planned.reduce((n, h) => n + (actualAt(h) ?? 0), 0);
  return { actual, plan: target, attainment: ratio(actual, target), plan_to_date: planToDate, actual_to_date: actualToDate, attainment_to_date: ratio(actualToDate, planToDate) };
}

beforeAll(async () => {
  ch = await openClickHouse(testConfig(['127.0.0.1:9'], { PIPELINE_TZ: simulation.timeZone }).clickhouse);
  await migrate(ch);
  truth = await loadSimulatedDay(ch, simulation, 3);
  const incident = hourOfWorstPaymentFailures(truth);
  const planned = planFor([
    { hourMs: incident, gmvShare: 1 },
    { hourMs: incident + HOUR_MS, gmvShare: 0.9 },
    { hourMs: surgeHour(truth), gmvShare: 0.5 },
    { hourMs: lastHour(truth), gmvShare: 1 },
  ]);
  await loadPlan(ch, planned, simulation.timeZone);
  for (const t of planned) plan.set(`${t.metric}|${t.hour}`, Number(t.target));
});

afterAll(async () => {
  await ch?.close();
});

/** Per panel kind: what the panel must show at one dashboard state, held against the truth. */
interface Check {
  sql: string;
  state: DashboardState;
  currentHour: number;
  selected: (r: CampaignHourRow) => boolean;
  where: string;
}
type Checker = (rows: Row[], c: Check) => void;

const CHECKS: Record<string, Checker> = {
  /** Hourly operations, this hour: the selected cells' metric. */
  'stat campaign_hourly': (rows, { currentHour, selected, where }) => expectHourStat(rows, rowsAt(currentHour).filter(selected), currentHour, where),
  /** Hourly operations, the same hour yesterday: the selected cells 24 h (one local day in a zone without DST) earlier, shown at this hour. */
  'stat same_hour_yesterday': (rows, { currentHour, selected, where }) => {
    const yesterday = rowsAt(currentHour - DAY_MS).filter(selected);
    expect(rows.length, where).toBe(yesterday.length === 0 ? 0 : 1);
    if (yesterday.length === 0) return;
    expect(isoOf(rows[0]!.time!), where).toBe(new Date(currentHour).toISOString());
    const metric = metricColumn(rows[0], where);
    expectClose(rows[0]![metric.id], expected(metric, yesterday), where);
  },
  /** War room: the whole shop this hour. */
  'stat shop_metrics': (rows, { currentHour, where }) => expectHourStat(rows, rowsAt(currentHour), currentHour, where),
  /** The shop's plan: a row only where a target was loaded for the hour. */
  'stat plan_attainment': (rows, { sql, currentHour, where }) => {
    const metric = METRICS.find((m) => sql.includes(`metric = '${m.id}'`))!;
    const wanted = expectedPlan(metric, currentHour);
    expect(rows.length, where).toBe(wanted === undefined ? 0 : 1);
    if (wanted === undefined) return;
    const fields = PLAN_FIELDS.filter((f) => planFieldName(metric, f) in rows[0]!);
    expect(fields.length, where).toBeGreaterThan(1);
    for (const f of fields) expectClose(rows[0]![planFieldName(metric, f)], wanted[f] ?? null, `${where} ${f}`);
  },
  'timeseries campaign_hourly': (rows, { state, selected, where }) => {
    const hours = [...new Set(truth.campaign_hours.filter((r) => selected(r) && Date.parse(r.hour) <= state.toMs).map((r) => r.hour))];
    expect(rows.map((r) => isoOf(r.time!)), where).toEqual(hours);
    const metric = metricColumn(rows[0], where);
    for (const row of rows) expectClose(row[metric.id], expected(metric, rowsAt(Date.parse(isoOf(row.time!))).filter(selected)), `${where} at ${isoOf(row.time!)}`);
  },
  'table campaign_metrics': (rows, { currentHour, selected, where }) => {
    const cells = rowsAt(currentHour).filter(selected);
    expect(rows.map((r) => `${r.campaign_id}|${r.channel}`), where).toEqual(cells.map((r) => `${r.campaign_id}|${r.channel}`));
    rows.forEach((row, i) => {
      for (const metric of METRICS) expectClose(row[metric.id], expected(metric, [cells[i]!]), `${where} ${row.campaign_id}|${row.channel} ${metric.id}`);
    });
  },
  /** The newest hour with data, whatever the time range: red and amber SKUs with the truth's stock signals, lost demand summed over all hours. */
  'table at_risk_skus': (rows, { where }) => {
    const latest = truth.sku_hours.reduce((max, r) => (r.hour > max ? r.hour : max), '');
    const lost = (sku: string, key: 'lost_cart_adds' | 'lost_units') => truth.sku_hours.filter((r) => r.sku === sku).reduce((n, r) => n + r.stock_signal[key], 0);
    const atRisk = truth.sku_hours.filter((r) => r.hour === latest && (r.stock_signal.status === 'red' || r.stock_signal.status === 'amber'));
    const shown = (r: Row) => [isoOf(r.hour!), r.sku, r.status, Number(r.available), r.hours_of_cover === null ? null : Number(r.hours_of_cover), Number(r.cart_adds), Number(r.lost_cart_adds), Number(r.lost_units)];
    const want = atRisk.map((r) => [r.hour, r.sku, r.stock_signal.status, r.stock_signal.available_at_close, r.stock_signal.hours_of_cover, r.counters.cart_adds, lost(r.sku, 'lost_cart_adds'), lost(r.sku, 'lost_units')]);
    const bySku = (a: unknown[], b: unknown[]) => String(a[1]).localeCompare(String(b[1]));
    expect(rows.map(shown).sort(bySku), where).toEqual(want.sort(bySku));
    expect(rows.map((r) => r.status), where).toEqual([...rows.map((r) => r.status)].sort((a, b) => (a === b ? 0 : a === 'red' ? -1 : 1)));
  },
  /** Every cell this hour over the surge rule against the same hour yesterday, strongest first; no selection applies. */
  'table same_hour_yesterday': (rows, { currentHour, where }) => {
    const key = (r: CampaignHourRow) => `${r.campaign_id}|${r.channel}`;
    const yesterday = new Map(rowsAt(currentHour - DAY_MS).map((r) => [key(r), r.counters[SURGE.counter]]));
    const surges = rowsAt(currentHour)
      .map((r) => ({ cell: key(r), now: r.counters[SURGE.counter], then: yesterday.get(key(r)) ?? 0 }))
      .filter((s) => s.now >= SURGE.minVolume && s.then > 0 && s.now > SURGE.factor * s.then)
      .sort((a, b) => b.now / b.then - a.now / a.then || a.cell.localeCompare(b.cell));
    expect(rows.map((r) => [`${r.campaign_id}|${r.channel}`, Number(r[SURGE.counter]), Number(r[`${SURGE.counter}_yesterday`])]), where).toEqual(surges.map((s) => [s.cell, s.now, s.then]));
    rows.forEach((r, i) => expectClose(r.surge_ratio, surges[i]!.now / surges[i]!.then, where));
  },
};

function expectHourStat(rows: Row[], hourRows: readonly CampaignHourRow[], currentHour: number, where: string): void {
  expect(rows.length, where).toBe(hourRows.length === 0 ? 0 : 1);
  if (rows.length === 0) return;
  expect(isoOf(rows[0]!.time!), where).toBe(new Date(currentHour).toISOString());
  const metric = metricColumn(rows[0], where);
  expectClose(rows[0]![metric.id], expected(metric, hourRows), where);
}

describe('dashboard queries against two simulated days in chDB', () => {
  it('covers the ClickHouse panels of the committed dashboards, each with a check of its kind', () => {
    const count = (kind: string) => clickhousePanels.filter((p) => kindOf(p) === kind).length;
    expect(clickhousePanels.filter((p) => CHECKS[kindOf(p)] === undefined).map((p) => `${p.dashboard} / ${p.title}: ${kindOf(p)}`)).toEqual([]);
    const n = METRICS.length;
    expect(Object.fromEntries(Object.keys(CHECKS).map((k) => [k, count(k)]))).toEqual({
      'stat campaign_hourly': n,
      'stat same_hour_yesterday': n,
      'stat shop_metrics': 1,
      // One plan column per metric, and GMV this hour and to date in the war room.
      'stat plan_attainment': n + 2,
      'timeseries campaign_hourly': n,
      'table campaign_metrics': 1,
      'table at_risk_skus': 1,
      'table same_hour_yesterday': 1,
    });
  });

  it('template variables offer exactly the campaigns and channels with data in the range', async () => {
    const period: DashboardState = { fromMs: Date.parse(truth.period.start), toMs: Date.parse(truth.period.end) - 1, variables: {} };
    for (const variable of dashboards.flatMap((d) => d.templating.list ?? [])) {
      const column = variable.name === 'campaign' ? 'campaign_id' : 'channel';
      const offered = (await run(variable.query, period)).map((r) => String(r[column]));
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
    // The end of the period, the middle of the incident hour, exactly the start of the hour after it, and the middle of the surge hour.
    const moments = [Date.parse(truth.period.end) - 1, incidentHour + 30 * 60_000, incidentHour + HOUR_MS, surgeHour(truth) + 30 * 60_000];

    const shown = new Map<string, number>();
    for (const variables of selections) {
      for (const toMs of moments) {
        const state: DashboardState = { fromMs: Date.parse(truth.period.start), toMs, variables };
        const selected = (r: CampaignHourRow) => variables.campaign.includes(r.campaign_id) && variables.channel.includes(r.channel);
        const currentHour = Math.floor((toMs - Date.parse(truth.period.start)) / HOUR_MS) * HOUR_MS + Date.parse(truth.period.start);
        for (const panel of clickhousePanels) {
          const where = `${panel.dashboard} / ${panel.title} / ${JSON.stringify(variables)} / to ${new Date(toMs).toISOString()}`;
          const rows = await run(panel.targets![0]!.rawSql, state);
          CHECKS[kindOf(panel)]!(rows, { sql: panel.targets![0]!.rawSql, state, currentHour, selected, where });
          if (rows.some((r) => Object.entries(r).some(([k, v]) => k !== 'time' && v !== null))) shown.set(kindOf(panel), (shown.get(kindOf(panel)) ?? 0) + 1);
        }
      }
    }
    // No check passes by having nothing to compare.
    for (const kind of Object.keys(CHECKS)) expect(shown.get(kind) ?? 0, kind).toBeGreaterThan(kind.startsWith('table') ? 0 : 3);
  });

  it('the payment-failure lights of Hourly operations and the War room are red in the incident hour', async () => {
    const incidentHour = hourOfWorstPaymentFailures(truth);
    const lights = clickhousePanels.filter((p) => p.type === 'stat' && p.title === 'Payment failure rate · this hour');
    expect(lights.map((p) => p.dashboard).sort()).toEqual(['Hourly operations', 'War room']);
    const variables = { campaign: [...new Set(truth.campaign_hours.map((r) => r.campaign_id))], channel: [...new Set(truth.campaign_hours.map((r) => r.channel))] };
    const metric = METRICS.find((m) => m.id === 'payment_failure_rate')!;
    for (const panel of lights) {
      const [row] = await run(panel.targets![0]!.rawSql, { fromMs: incidentHour, toMs: incidentHour + 30 * 60_000, variables });
      expect(Number(row!.payment_failure_rate), panel.dashboard).toBeGreaterThan(metric.thresholds.red);
    }
  });

  it('the War room shows GMV at half its plan in the surge hour below the catalog’s red, and the surge itself', async () => {
    const hour = surgeHour(truth);
    const state = { fromMs: Date.parse(truth.period.start), toMs: hour + 30 * 60_000, variables: {} };
    const gmvPanel = clickhousePanels.find((p) => p.dashboard === 'War room' && p.title === 'GMV · vs plan this hour')!;
    const [gmv] = await run(gmvPanel.targets![0]!.rawSql, state);
    const { thresholds } = METRICS.find((m) => m.id === 'gmv')!;
    expect(Number(gmv!.gmv_attainment)).toBeCloseTo(0.5, 6);
    expect(Number(gmv!.gmv_attainment)).toBeLessThan(thresholds.red);
    const surgesPanel = clickhousePanels.find((p) => p.dashboard === 'War room' && kindOf(p) === 'table same_hour_yesterday')!;
    const surges = await run(surgesPanel.targets![0]!.rawSql, state);
    expect(surges.map((r) => r.campaign_id)).toContain(truth.scenario.surge!.campaign_id);
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

/** The start of the hour the simulated surge begins in (the simulator starts it on the hour). */
function surgeHour(t: Truth): number {
  return Date.parse(t.scenario.surge!.start);
}

function lastHour(t: Truth): number {
  return Date.parse(t.period.end) - HOUR_MS;
}
