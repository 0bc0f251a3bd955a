/**
 * The war-room signal views on real chDB, held against the simulator's ground truth: two simulated
 * days in Asia/Kolkata (+05:30, so local midnight is 18:30 UTC of the day before) with the sell-out SKU,
 * the payment incident and, on day two, the cart-add surge. Expected values come from the truth file,
 * which is computed from the generated events without the processors' code or the views' SQL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openClickHouse } from '../../processors/clickhouse/client.js';
import { migrate } from '../../processors/clickhouse/migrate.js';
import { readTargetsFile } from '../../processors/targets/read-targets-file.js';
import { CAMPAIGN_COUNTERS } from '../../schemas/counters.js';
import { isAdditive, METRICS } from '../../schemas/metric-catalog.js';
import { SELLOUT_SKU, type CampaignHourRow, type Truth } from '../../simulator/index.js';
import { decimalOfMicros, loadPlan } from '../support/plan-targets.js';
import { loadSimulatedDay } from '../support/simulated-day.js';
import { testConfig } from '../support/test-config.js';
import { PROJECT_ROOT } from '../support/tsx-child.js';

const TZ = 'Asia/Kolkata';
const HOUR_MS = 3_600_000;

type Row = Record<string, unknown>;

async function query(ch: ClickHouseClient, sql: string, params: Record<string, unknown> = {}): Promise<Row[]> {
  return (await ch.query({ query: sql, query_params: params, format: 'JSONEachRow' })).json<Row>();
}

const iso = (unixSeconds: unknown) => new Date(Number(unixSeconds) * 1000).toISOString();
/** 'YYYY-MM-DD HH:00' shifted by whole local days, by the calendar (not by UTC arithmetic). */
function localDaysBefore(hourLocal: string, days: number): string {
  const d = new Date(`${hourLocal.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return `${d.toISOString().slice(0, 10)}${hourLocal.slice(10)}`;
}
const cellKey = (hourLocal: string, campaign: string, channel: string) => `${hourLocal}|${campaign}|${channel}`;
const close = (a: unknown, b: number | null) => (b === null ? a === null : a !== null && Math.abs(Number(a) - b) <= 1e-6 * Math.max(1, Math.abs(b)));

async function openDatabase(): Promise<ClickHouseClient> {
  const ch = await openClickHouse(testConfig(['127.0.0.1:9'], { PIPELINE_TZ: TZ }).clickhouse);
  await migrate(ch);
  return ch;
}

/** Each stored comparison row against the truth rows `days` local days earlier (zero counters where there were none). */
async function expectComparedWith(ch: ClickHouseClient, current: Truth, earlier: Truth, suffix: string, days: number): Promise<number> {
  const earlierByCell = new Map(earlier.campaign_hours.map((r) => [cellKey(r.hour_local, r.campaign_id, r.channel), r]));
  const stored = new Map(
    (await query(ch, 'SELECT toUnixTimestamp(hour) AS h, * FROM campaign_comparisons')).map((r) => [`${iso(r.h)}|${r.campaign_id}|${r.channel}`, r]),
  );
  let withEarlierData = 0;
  const problems: string[] = [];
  for (const r of current.campaign_hours) {
    const row = stored.get(`${r.hour}|${r.campaign_id}|${r.channel}`);
    if (row === undefined) {
      problems.push(`missing ${r.hour_local} ${r.campaign_id} ${r.channel}`);
      continue;
    }
    const before: CampaignHourRow | undefined = earlierByCell.get(cellKey(localDaysBefore(r.hour_local, days), r.campaign_id, r.channel));
    if (before !== undefined) withEarlierData++;
    for (const c of CAMPAIGN_COUNTERS) {
      if (Number(row[`${c}_${suffix}`]) !== (before?.counters[c] ?? 0)) problems.push(`${r.hour_local} ${r.campaign_id} ${r.channel} ${c}_${suffix}: ${String(row[`${c}_${suffix}`])} != ${before?.counters[c] ?? 0}`);
    }
    for (const m of METRICS) {
      const then = before?.metrics[m.id].value ?? (isAdditive(m) ? 0 : null);
      if (!close(row[`${m.id}_${suffix}`], then)) problems.push(`${r.hour_local} ${r.campaign_id} ${r.channel} ${m.id}_${suffix}: ${String(row[`${m.id}_${suffix}`])} != ${then}`);
      const now = r.metrics[m.id].value;
      const change = now === null || then === null || then === 0 ? null : ((now - then) / Math.abs(then)) * 100;
      if (!close(row[`${m.id}_change_${suffix}_pct`], change)) problems.push(`${r.hour_local} ${m.id}_change_${suffix}_pct: ${String(row[`${m.id}_change_${suffix}_pct`])} != ${change}`);
    }
  }
  expect(problems.slice(0, 10)).toEqual([]);
  return withEarlierData;
}

describe('war-room signals on two simulated days in Asia/Kolkata', () => {
  let ch: ClickHouseClient;
  let truth: Truth;
  beforeAll(async () => {
    ch = await openDatabase();
    truth = await loadSimulatedDay(ch, { seed: 3, timeZone: TZ, start: '2026-11-10', hours: 48, events: 250_000 });
  });
  afterAll(async () => {
    await ch?.close();
  });

  describe('stock-out warnings', () => {
    it('every SKU-hour has the stock, cover, status and lost demand of the ground truth', async () => {
      const stored = new Map(
        (await query(ch, 'SELECT toUnixTimestamp(hour) AS h, * FROM sku_stock_signals')).map((r) => [`${iso(r.h)}|${r.sku}`, r]),
      );
      const problems: string[] = [];
      for (const r of truth.sku_hours) {
        const s = r.stock_signal;
        const row = stored.get(`${r.hour}|${r.sku}`);
        const got = row && [row.available === null ? null : Number(row.available), Number(row.net_units_sold), row.hours_of_cover === null ? null : Number(row.hours_of_cover), row.status, Number(row.lost_cart_adds), Number(row.lost_units)];
        const want = [s.available_at_close, s.net_units_sold, s.hours_of_cover, s.status, s.lost_cart_adds, s.lost_units];
        if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`${r.hour_local} ${r.sku}: stored ${JSON.stringify(got)}, truth ${JSON.stringify(want)}`);
      }
      expect(problems.slice(0, 10)).toEqual([]);
    });

    it('the sell-out SKU turns amber, then red at the hour the truth says, before it sells out; its lost demand is the truth', async () => {
      const rows = await query(ch, 'SELECT toUnixTimestamp(hour) AS h, status, available, lost_cart_adds, lost_units FROM sku_stock_signals WHERE sku = {sku:String} ORDER BY hour', { sku: SELLOUT_SKU });
      const statuses = rows.map((r) => r.status);
      const firstAmber = statuses.indexOf('amber');
      const firstRed = statuses.indexOf('red');
      expect(firstAmber).toBeGreaterThanOrEqual(0);
      expect(firstRed).toBeGreaterThan(firstAmber);
      const truthRows = truth.sku_hours.filter((r) => r.sku === SELLOUT_SKU);
      const firstRedHour = iso(rows[firstRed]!.h);
      expect(firstRedHour).toBe(truthRows.find((r) => r.stock_signal.status === 'red')!.hour);
      expect(iso(rows[firstAmber]!.h)).toBe(truthRows.find((r) => r.stock_signal.status === 'amber')!.hour);
      expect(new Date(firstRedHour).getUTCMinutes()).toBe(30); // Kolkata hours start at :30 UTC

      // The simulator's own record of when the stock ran dry: the warning turned red when, at an hour's
      // close, under 2 h of stock was left, and it did run out within those 2 h; that hour is red with no stock.
      const soldOutMs = Date.parse(truth.scenario.sellout.sold_out_at!);
      const redCloseMs = Date.parse(firstRedHour) + HOUR_MS;
      expect(soldOutMs - redCloseMs).toBeGreaterThanOrEqual(0);
      expect(soldOutMs - redCloseMs).toBeLessThan(2 * HOUR_MS);
      const soldOutHour = rows.find((r) => Number(r.h) * 1000 <= soldOutMs && soldOutMs < Number(r.h) * 1000 + HOUR_MS)!;
      expect(soldOutHour).toMatchObject({ status: 'red', available: 0 });

      const mine = truthRows;
      const lostCartAdds = mine.reduce((n, r) => n + r.stock_signal.lost_cart_adds, 0);
      expect(lostCartAdds).toBeGreaterThan(0);
      expect(rows.reduce((n, r) => n + Number(r.lost_cart_adds), 0)).toBe(lostCartAdds);
      expect(rows.reduce((n, r) => n + Number(r.lost_units), 0)).toBe(mine.reduce((n, r) => n + r.stock_signal.lost_units, 0));
      const [total] = await query(ch, 'SELECT lost_cart_adds FROM sku_lost_demand WHERE sku = {sku:String}', { sku: SELLOUT_SKU });
      expect(Number(total!.lost_cart_adds)).toBe(lostCartAdds);
    });

    it('at_risk_skus lists the latest hour red and amber SKUs worst first, the sold-out SKU on top', async () => {
      const rows = await query(ch, 'SELECT toUnixTimestamp(hour) AS h, sku, status, available, hours_of_cover FROM at_risk_skus');
      const latest = truth.sku_hours.reduce((max, r) => (r.hour > max ? r.hour : max), '');
      const atRisk = truth.sku_hours.filter((r) => r.hour === latest && (r.stock_signal.status === 'red' || r.stock_signal.status === 'amber'));
      expect(atRisk.length).toBeGreaterThan(1);
      expect(rows.map((r) => iso(r.h))).toEqual(atRisk.map(() => latest));
      expect(new Set(rows.map((r) => `${r.sku} ${r.status} ${r.available}`))).toEqual(new Set(atRisk.map((r) => `${r.sku} ${r.stock_signal.status} ${r.stock_signal.available_at_close}`)));
      const statuses = rows.map((r) => r.status);
      expect(statuses).toEqual([...statuses].sort((a, b) => (a === b ? 0 : a === 'red' ? -1 : 1)));
      expect(rows[0]).toMatchObject({ sku: SELLOUT_SKU, status: 'red', available: 0 });
      const covers = rows.filter((r) => r.status === 'amber').map((r) => Number(r.hours_of_cover));
      expect(covers).toEqual([...covers].sort((a, b) => a - b));
    });
  });

  describe('same hour yesterday', () => {
    it('is the same local hour a day earlier for every metric, across local midnight in a :30 zone', async () => {
      const compared = await expectComparedWith(ch, truth, truth, 'yesterday', 1);
      expect(compared).toBeGreaterThan(100);
      // Local midnight of day two is 18:30 UTC on day one: the comparison crosses both calendars' day boundaries.
      const midnight = truth.campaign_hours.find((r) => r.hour_local === '2026-11-11 00:00')!;
      expect(midnight.hour).toBe('2026-11-10T18:30:00.000Z');
      const [row] = await query(ch, 'SELECT sum(cart_adds_yesterday) AS y FROM campaign_comparisons WHERE hour = toDateTime({hour:String}, \'UTC\')', { hour: '2026-11-10 18:30:00' });
      const expected = truth.campaign_hours.filter((r) => r.hour_local === '2026-11-10 00:00').reduce((n, r) => n + r.counters.cart_adds, 0);
      expect(expected).toBeGreaterThan(0);
      expect(Number(row!.y)).toBe(expected);
    });

    it('flags the simulated surge, and nothing else, as an opportunity', async () => {
      const surges = await query(ch, 'SELECT toUnixTimestamp(hour) AS h, campaign_id, channel, cart_adds, cart_adds_yesterday FROM campaign_comparisons WHERE surge');
      const surge = truth.scenario.surge!;
      expect(surges.map((r) => [iso(r.h), r.campaign_id, r.channel])).toEqual([[surge.start, surge.campaign_id, 'live']]);
      const [shop] = await query(ch, 'SELECT count() AS n FROM shop_comparisons WHERE surge');
      expect(Number(shop!.n)).toBe(0);
    });
  });

  describe('plan targets', () => {
    const shopGmvMicros = (hourLocal: string) =>
      truth.campaign_hours.filter((r) => r.hour_local === hourLocal).reduce((n, r) => n + r.counters.paid_micros - r.counters.refunded_micros, 0);

    it('a loaded plan gives the expected attainment, plan-to-date and GMV status', async () => {
      // Plans at 100 %, 90 % and 50 % of what happened: green, amber, red by DOMAIN.md (< 80 % red, < 95 % amber).
      const hours = [['2026-11-10 18:00', 1], ['2026-11-10 19:00', 0.9], ['2026-11-10 20:00', 0.5]] as const;
      const plan = hours.map(([hour, share]) => ({ hour, actual: shopGmvMicros(hour), target: Math.round(shopGmvMicros(hour) / share) }));
      const orders = truth.campaign_hours.filter((r) => r.hour_local === '2026-11-10 18:00' && r.campaign_id === 'cmp-live-flagship').reduce((n, r) => n + r.counters.paid_orders, 0);
      await loadPlan(ch, [...plan.map((p) => ({ hour: p.hour, metric: 'gmv', target: decimalOfMicros(p.target) })), { hour: '2026-11-10 18:00', metric: 'orders', target: String(orders * 2), campaign: 'cmp-live-flagship' }, { hour: '2026-11-10 18:00', metric: 'gmv', target: '100', campaign: 'cmp-without-sales' }], TZ);

      const rows = await query(ch, "SELECT toUnixTimestamp(hour) AS h, * FROM plan_attainment WHERE scope = 'shop' AND metric = 'gmv' ORDER BY hour");
      expect(rows.map((r) => r.status)).toEqual(['green', 'amber', 'red']);
      let planToDate = 0;
      let actualToDate = 0;
      rows.forEach((r, i) => {
        const p = plan[i]!;
        planToDate += p.target;
        actualToDate += p.actual;
        expect(Number(r.plan)).toBeCloseTo(p.target / 1e6, 6);
        expect(Number(r.actual)).toBeCloseTo(p.actual / 1e6, 6);
        expect(Number(r.attainment)).toBeCloseTo(p.actual / p.target, 9);
        expect(Number(r.attainment_to_date)).toBeCloseTo(actualToDate / planToDate, 9);
      });
      expect(rows.map((r) => r.status_to_date)).toEqual(['green', 'green', actualToDate / planToDate < 0.8 ? 'red' : 'amber']);

      const [campaign] = await query(ch, "SELECT attainment, status FROM plan_attainment WHERE scope = 'campaign' AND campaign_id = 'cmp-live-flagship' AND metric = 'orders'");
      expect(Number(campaign!.attainment)).toBeCloseTo(0.5, 9);
      expect(campaign!.status).toBe('neutral');
      // A targeted hour without a single sale is 0 GMV against the plan: red, not "no data".
      const [unsold] = await query(ch, "SELECT actual, attainment, status FROM plan_attainment WHERE campaign_id = 'cmp-without-sales'");
      expect(unsold).toEqual({ actual: 0, attainment: 0, status: 'red' });
    });

    it('a bad file is rejected naming the line and the problem, and nothing of it is stored', async () => {
      const before = await query(ch, 'SELECT count() AS n FROM plan_targets');
      const file = join(mkdtempSync(join(tmpdir(), 'targets-')), 'bad.json');
      writeFileSync(file, '[\n  {"hour": "2026-11-11 10:00", "metric": "gmv", "target": 100},\n  {"hour": "2026-11-11 10:00", "metric": "revenue", "target": 5}\n]\n');
      expect(readTargetsFile(file, TZ)).toEqual({ ok: false, problems: [{ line: 3, message: expect.stringContaining('unknown metric "revenue"') }] });
      // The CLI itself: it rejects the file before opening ClickHouse, so it can run beside this process's chDB.
      const cli = spawnSync(process.execPath, ['--import', 'tsx', 'processors/targets/main.ts', 'load', file], {
        encoding: 'utf8',
        cwd: PROJECT_ROOT,
        env: { ...process.env, PIPELINE_TZ: TZ, CLICKHOUSE_DATA_DIR: join(tmpdir(), 'targets-cli-unused') },
      });
      expect(cli.status).toBe(1);
      expect(cli.stderr).toContain(`${file}:3: unknown metric "revenue"`);
      expect(cli.stderr).toContain('nothing was stored');
      expect(await query(ch, 'SELECT count() AS n FROM plan_targets')).toEqual(before);
    });
  });
});

describe('same hour last week', () => {
  it('is the same local hour seven days earlier, across local midnight in a :30 zone', async () => {
    const ch = await openDatabase();
    try {
      // Evenings to past local midnight, a week apart, loaded in event-time order.
      const lastWeek = await loadSimulatedDay(ch, { seed: 5, timeZone: TZ, start: '2026-11-03T20', hours: 6, events: 20_000 });
      const thisWeek = await loadSimulatedDay(ch, { seed: 6, timeZone: TZ, start: '2026-11-10T20', hours: 6, events: 20_000 });
      expect(await expectComparedWith(ch, thisWeek, lastWeek, 'last_week', 7)).toBeGreaterThan(20);
      expect(thisWeek.campaign_hours.some((r) => r.hour_local.endsWith(' 00:00'))).toBe(true);
    } finally {
      await ch.close();
    }
  });
});
