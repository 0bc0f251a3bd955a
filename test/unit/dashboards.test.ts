/**
 * The generated Grafana files: committed and current, every coloured number tied to its catalog entry
 * with the catalog's thresholds and semantics, every query pointed at a provisioned datasource, and the
 * Prometheus panels naming only the series the processors expose.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dashboardSettings, type DashboardSettings } from '../../dashboards/dashboard-settings.js';
import { nextUp } from '../../dashboards/metric-thresholds.js';
import { PROCESSOR_METRICS } from '../../processors/metrics/metric-names.js';
import { DASHBOARDS_DIR, renderGrafanaFiles } from '../../dashboards/render-files.js';
import { OPPORTUNITY_COLOUR, STATUS_COLOURS } from '../../dashboards/status-colours.js';
import { outdatedGrafanaFiles } from '../../dashboards/write-dashboards.js';
import { loadConfig } from '../../processors/config.js';
import { METRICS, SURGE, type MetricDefinition, type Thresholds } from '../../schemas/metric-catalog.js';
import { statusOf } from '../../schemas/metric-math.js';

interface Threshold {
  value: number | null;
  color: string;
}
interface Override {
  matcher: { id: string; options: string };
  properties: { id: string; value: unknown }[];
}
interface Panel {
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: { refId?: string; datasource?: { uid?: string; type?: string }; rawSql?: string; expr?: string }[];
  fieldConfig?: { defaults: { thresholds?: { steps: Threshold[] } }; overrides: Override[] };
}

/** The committed files are generated for the pipeline's default configuration. */
const settings = dashboardSettings(loadConfig({}));
const files = renderGrafanaFiles(settings);
const dashboards = [...files]
  .filter(([path]) => path.startsWith(DASHBOARDS_DIR))
  .map(([path, json]) => ({ path, ...(JSON.parse(json) as { title: string; timezone: string; panels: Panel[]; templating: { list?: unknown[] } }) }));
const panels = dashboards.flatMap((d) => d.panels.filter((p) => p.type !== 'row').map((p) => ({ ...p, dashboard: d.path })));
const dashboardPanels = (title: string) => panels.filter((p) => p.dashboard === dashboards.find((d) => d.title === title)?.path);

/** Grafana's rule: a value takes the colour of the last step whose value is <= it (the first step is minus infinity). */
function grafanaColour(steps: Threshold[], value: number): string {
  let colour = steps[0]!.color;
  for (const s of steps.slice(1)) if (value >= s.value!) colour = s.color;
  return colour;
}

/** How a field of a catalog metric is judged: as the metric's value, as its attainment of the plan, or not at all (plans, sums to date). */
type Role = 'value' | 'attainment' | 'uncoloured';
const ROLE_OF_SUFFIX: Record<string, Role> = { '': 'value', _attainment: 'attainment', _attainment_to_date: 'attainment', _plan: 'uncoloured', _plan_to_date: 'uncoloured', _actual_to_date: 'uncoloured' };

function metricThresholdOverrides(): { panel: string; field: string; metric: MetricDefinition; role: Role; steps: Threshold[] }[] {
  return panels.flatMap((p) =>
    (p.fieldConfig?.overrides ?? []).flatMap((o) => {
      const metric = METRICS.find((m) => o.matcher.id === 'byName' && o.matcher.options.startsWith(m.id) && o.matcher.options.slice(m.id.length) in ROLE_OF_SUFFIX);
      const thresholds = o.properties.find((prop) => prop.id === 'thresholds')?.value as { steps: Threshold[] } | undefined;
      if (metric === undefined || thresholds === undefined) return [];
      const role = ROLE_OF_SUFFIX[o.matcher.options.slice(metric.id.length)]!;
      return [{ panel: `${p.dashboard}: ${p.title}`, field: o.matcher.options, metric, role, steps: thresholds.steps }];
    }),
  );
}

/** The thresholds a field must carry: the catalog's where they judge what the field shows, neutral otherwise. */
function judgedBy(metric: MetricDefinition, role: Role): Thresholds | undefined {
  const t = metric.thresholds;
  if (role === 'value') return t?.against === 'absolute' ? t : undefined;
  return role === 'attainment' && t?.against === 'plan' ? t : undefined;
}

describe('generated Grafana files', () => {
  it('are committed and current (`npm run dashboards` regenerates them)', () => {
    expect(outdatedGrafanaFiles(files)).toEqual([]);
  });

  it('use the pipeline time zone as the dashboards’ time zone', () => {
    const kathmandu: DashboardSettings = { ...settings, timeZone: 'Asia/Kathmandu' };
    for (const [path, json] of renderGrafanaFiles(kathmandu)) {
      if (path.endsWith('.json')) expect(JSON.parse(json).timezone, path).toBe('Asia/Kathmandu');
    }
    for (const d of dashboards) expect(d.timezone).toBe(loadConfig({}).pipeline.timeZone);
  });
});

describe('thresholds in every panel', () => {
  it('every catalog metric is shown as a stat, a trend and a table column, each with the metric’s thresholds', () => {
    const overrides = metricThresholdOverrides();
    for (const metric of METRICS) {
      const kinds = panels.filter((p) => p.fieldConfig?.overrides.some((o) => o.matcher.options === metric.id)).map((p) => p.type);
      expect(new Set(kinds), metric.id).toEqual(new Set(['stat', 'timeseries', 'table']));
      expect(overrides.filter((o) => o.metric.id === metric.id && o.role === 'value').length).toBe(kinds.length);
    }
  });

  it('equal the catalog’s numbers', () => {
    const c = STATUS_COLOURS;
    const overrides = metricThresholdOverrides();
    expect(overrides.filter((o) => o.role === 'attainment' && judgedBy(o.metric, o.role) !== undefined).length).toBeGreaterThan(0);
    for (const { panel, field, metric, role, steps } of overrides) {
      const t = judgedBy(metric, role);
      const where = `${panel} / ${field}`;
      if (t === undefined) expect(steps, where).toEqual([{ value: null, color: c.neutral }]);
      else if (t.bad === 'low') expect(steps, where).toEqual([{ value: null, color: c.red }, { value: t.red, color: c.amber }, { value: t.amber, color: c.green }]);
      // Grafana's steps are inclusive, the catalog's high thresholds strict: the step sits one double above.
      else expect(steps, where).toEqual([{ value: null, color: c.green }, { value: nextUp(t.amber), color: c.amber }, { value: nextUp(t.red), color: c.red }]);
    }
  });

  it('colour every value as the catalog’s statusOf does, at and around each threshold', () => {
    for (const { panel, field, metric, role, steps } of metricThresholdOverrides()) {
      const t = judgedBy(metric, role);
      if (t === undefined) continue;
      for (const edge of [t.red, t.amber]) {
        for (const value of [0, edge / 2, edge - 1e-9, edge, nextUp(edge), edge + 1e-9, edge * 2, 10]) {
          // Against a plan of 1, the value is its own attainment.
          const status = statusOf(metric, value, Number.MAX_SAFE_INTEGER, role === 'attainment' ? 1 : undefined);
          expect(grafanaColour(steps, value), `${panel} / ${field} at ${value}`).toBe(STATUS_COLOURS[status]);
        }
      }
    }
  });

  it('panel defaults are neutral, so only a catalog metric is ever coloured red, amber or green', () => {
    for (const p of panels) expect(p.fieldConfig?.defaults.thresholds?.steps, `${p.dashboard}: ${p.title}`).toEqual([{ value: null, color: STATUS_COLOURS.neutral }]);
  });
});

describe('panels', () => {
  it('Hourly operations: each metric this hour, the same hour yesterday and the shop’s plan, on its trend’s line', () => {
    const hourly = dashboardPanels('Hourly operations');
    for (const metric of METRICS) {
      const trend = hourly.find((p) => p.title === `${metric.label} by hour`)!;
      const line = hourly.filter((p) => p.type === 'stat' && p.gridPos.y === trend.gridPos.y).sort((a, b) => a.gridPos.x - b.gridPos.x);
      expect(line.map((p) => p.title), metric.id).toEqual([`${metric.label} · this hour`, `${metric.label} · same hour yesterday`, `${metric.label} · plan (whole shop)`]);
      expect(line.at(-1)!.fieldConfig!.overrides.map((o) => o.matcher.options), metric.id).toEqual([`${metric.id}_plan`, `${metric.id}_attainment`]);
      expect(Math.max(...line.map((p) => p.gridPos.x + p.gridPos.w))).toBe(trend.gridPos.x);
    }
  });

  it('War room: GMV vs plan this hour and to date, the payment failure light, at-risk SKUs and surges, for the whole shop', () => {
    const warRoom = dashboardPanels('War room');
    const fields = (title: string) => warRoom.find((p) => p.title === title)?.fieldConfig?.overrides.map((o) => o.matcher.options);
    expect(fields('GMV · vs plan this hour')).toEqual(['gmv', 'gmv_plan', 'gmv_attainment']);
    expect(fields('GMV · vs plan to date')).toEqual(['gmv_actual_to_date', 'gmv_plan_to_date', 'gmv_attainment_to_date']);
    expect(fields('Payment failure rate · this hour')).toEqual(['payment_failure_rate']);
    expect(warRoom.map((p) => `${p.type} ${p.title}`).sort()).toEqual(
      ['stat GMV · vs plan this hour', 'stat GMV · vs plan to date', 'stat Payment failure rate · this hour', 'table At-risk SKUs', 'table Surges: opportunities'].sort(),
    );
    expect(dashboards.find((d) => d.title === 'War room')!.templating.list ?? []).toEqual([]);
    // Big screen: nothing overlaps and everything fits the 24-column grid.
    for (const p of warRoom) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
    for (const [i, a] of warRoom.entries()) for (const b of warRoom.slice(i + 1)) expect(overlap(a.gridPos, b.gridPos), `${a.title} / ${b.title}`).toBe(false);
  });

  it('At-risk SKUs are coloured by their status in the colours every dashboard uses', () => {
    const status = overridesOf('War room', 'At-risk SKUs', 'status');
    const mappings = status.find((p) => p.id === 'mappings')!.value as { type: string; options: Record<string, { color: string }> }[];
    expect(mappings.map((m) => [m.type, Object.fromEntries(Object.entries(m.options).map(([k, v]) => [k, v.color]))])).toEqual([['value', { red: STATUS_COLOURS.red, amber: STATUS_COLOURS.amber }]]);
  });

  it('Surges are styled as an opportunity: one fixed colour that is not red, and no thresholds', () => {
    const panel = dashboardPanels('War room').find((p) => p.title === 'Surges: opportunities')!;
    expect(panel.targets![0]!.rawSql).toContain(`${SURGE.counter}_yesterday`);
    const colours = panel.fieldConfig!.overrides.flatMap((o) => o.properties.filter((p) => p.id === 'color').map((p) => p.value));
    expect(colours).toEqual([{ mode: 'fixed', fixedColor: OPPORTUNITY_COLOUR }]);
    expect(OPPORTUNITY_COLOUR).not.toBe(STATUS_COLOURS.red);
    expect(panel.fieldConfig!.overrides.flatMap((o) => o.properties.filter((p) => p.id === 'thresholds' || p.id === 'mappings'))).toEqual([]);
  });
});

function overridesOf(dashboard: string, panel: string, field: string): Override['properties'] {
  return dashboardPanels(dashboard).find((p) => p.title === panel)!.fieldConfig!.overrides.find((o) => o.matcher.options === field)!.properties;
}

function overlap(a: Panel['gridPos'], b: Panel['gridPos']): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

describe('queries', () => {
  const provisioned = (parse(files.get('infra/grafana/provisioning/datasources/datasources.yaml')!) as { datasources: { uid: string; type: string }[] }).datasources;

  it('every target has a refId and a provisioned datasource of the right type', () => {
    for (const p of panels) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) {
        expect(t.refId, p.title).toMatch(/^[A-Z]$/);
        expect(provisioned, p.title).toContainEqual(expect.objectContaining({ uid: t.datasource?.uid, type: t.datasource?.type }));
      }
    }
  });

  it('Prometheus panels name only the series of processors/metrics/metric-names.ts', () => {
    const known = new Set(Object.values(PROCESSOR_METRICS).flatMap((name) => [name, `${name}_bucket`]));
    const exprs = panels.flatMap((p) => (p.targets ?? []).flatMap((t) => (t.expr === undefined ? [] : [t.expr])));
    expect(exprs.length).toBeGreaterThan(0);
    for (const expr of exprs) {
      const series = [...expr.matchAll(/\b(ecom_[a-z0-9_]+)/g)].map((m) => m[1]!);
      for (const name of series) expect(known, expr).toContain(name);
      expect(series.length + (expr.includes('up{') ? 1 : 0), expr).toBeGreaterThan(0);
    }
    const used = new Set(exprs.flatMap((e) => [...e.matchAll(/\b(ecom_[a-z0-9_]+?)(?:_bucket)?\b/g)].map((m) => m[1]!)));
    // What the issue asks the pipeline-health dashboard to show: lag, throughput, dead letters, watermark delay, flush latency.
    const M = PROCESSOR_METRICS;
    for (const name of [M.lag, M.consumed, M.rejected, M.watermarkDelay, M.flushDuration, M.flushFailures]) expect(used).toContain(name);
  });
});
