/** Display strings for the war-room page, by the catalog's units, so the browser only paints text. */
import type { MetricDefinition } from '../../schemas/metric-catalog.js';

const NO_VALUE = '–';

export function formatMetricValue(metric: Pick<MetricDefinition, 'unit'>, value: number | null, currency: string): string {
  if (value === null || !Number.isFinite(value)) return NO_VALUE;
  switch (metric.unit) {
    case 'percent':
      return `${(value * 100).toFixed(2)}%`;
    case 'ratio':
      return value.toFixed(2);
    case 'money':
      return new Intl.NumberFormat('en', { style: 'currency', currency, maximumFractionDigits: 0 }).format(value);
    case 'count':
      return Math.round(value).toLocaleString('en-US');
  }
}

/** `+12.3%` for a change, or `96.0%` for an attainment (`signed` false). */
export function formatPercentChange(percent: number | null, signed = true): string {
  if (percent === null || !Number.isFinite(percent)) return '';
  return `${signed && percent > 0 ? '+' : ''}${percent.toFixed(1)}%`;
}
