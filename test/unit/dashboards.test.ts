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
import { STATUS_COLOURS } from '../../dashboards/status-colours.js';
import { outdatedGrafanaFiles } from '../../dashboards/write-dashboards.js';
import { loadConfig } from '../../processors/config.js';
import { METRICS, type MetricDefinition } from '../../schemas/metric-catalog.js';
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
  targets?: { refId?: string; datasource?: { uid?: string; type?: string }; rawSql?: string; expr?: string }[];
  fieldConfig?: { defaults: { thresholds?: { steps: Threshold[] } }; overrides: Override[] };
}

/** The committed files are generated for the pipeline's default configuration. */
const settings = dashboardSettings(loadConfig({}));
const files = renderGrafanaFiles(settings);
const dashboards = [...files].filter(([path]) => path.startsWith(DASHBOARDS_DIR)).map(([path, json]) => ({ path, ...(JSON.parse(json) as { timezone: string; panels: Panel[] }) }));
const panels = dashboards.flatMap((d) => d.panels.filter((p) => p.type !== 'row').map((p) => ({ ...p, dashboard: d.path })));

/** Grafana's rule: a value takes the colour of the last step whose value is <= it (the first step is minus infinity). */
function grafanaColour(steps: Threshold[], value: number): string {
  let colour = steps[0]!.color;
  for (const s of steps.slice(1)) if (value >= s.value!) colour = s.color;
  return colour;
}

function metricThresholdOverrides(): { panel: string; metric: MetricDefinition; steps: Threshold[] }[] {
  return panels.flatMap((p) =>
    (p.fieldConfig?.overrides ?? []).flatMap((o) => {
      const metric = METRICS.find((m) => o.matcher.id === 'byName' && o.matcher.options === m.id);
      const thresholds = o.properties.find((prop) => prop.id === 'thresholds')?.value as { steps: Threshold[] } | undefined;
      return metric && thresholds ? [{ panel: `${p.dashboard}: ${p.title}`, metric, steps: thresholds.steps }] : [];
    }),
  );
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
      expect(overrides.filter((o) => o.metric.id === metric.id).length).toBe(kinds.length);
    }
  });

  it('equal the catalog’s numbers', () => {
    for (const { panel, metric, steps } of metricThresholdOverrides()) {
      const t = metric.thresholds;
      const c = STATUS_COLOURS;
      if (t === undefined || t.against === 'plan') expect(steps, panel).toEqual([{ value: null, color: c.neutral }]);
      else if (t.bad === 'low') expect(steps, panel).toEqual([{ value: null, color: c.red }, { value: t.red, color: c.amber }, { value: t.amber, color: c.green }]);
      // Grafana's steps are inclusive, the catalog's high thresholds strict: the step sits one double above.
      else expect(steps, panel).toEqual([{ value: null, color: c.green }, { value: nextUp(t.amber), color: c.amber }, { value: nextUp(t.red), color: c.red }]);
    }
  });

  it('colour every value as the catalog’s statusOf does, at and around each threshold', () => {
    for (const { panel, metric, steps } of metricThresholdOverrides()) {
      const t = metric.thresholds;
      if (t === undefined || t.against === 'plan') continue;
      for (const edge of [t.red, t.amber]) {
        for (const value of [0, edge / 2, edge - 1e-9, edge, nextUp(edge), edge + 1e-9, edge * 2, 10]) {
          const status = statusOf(metric, value, Number.MAX_SAFE_INTEGER);
          expect(grafanaColour(steps, value), `${panel} at ${value}`).toBe(STATUS_COLOURS[status]);
        }
      }
    }
  });

  it('panel defaults are neutral, so only a catalog metric is ever coloured red, amber or green', () => {
    for (const p of panels) expect(p.fieldConfig?.defaults.thresholds?.steps, `${p.dashboard}: ${p.title}`).toEqual([{ value: null, color: STATUS_COLOURS.neutral }]);
  });
});

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
