/**
 * The catalog metrics of the current hour, shop-wide and for the configured channels and campaigns,
 * evaluated with the catalog's own evaluateMetric so Prometheus sees exactly the statuses the
 * dashboards show. Only configured dimension values become label values: events carry arbitrary
 * campaign and channel strings, and each one would otherwise be a new time series.
 */
import { CAMPAIGN_COUNTERS, zeroCounters, type CampaignCounters } from '../../schemas/counters.js';
import { METRICS, type Status } from '../../schemas/metric-catalog.js';
import { evaluateMetric, sumCounters } from '../../schemas/metric-math.js';
import type { CampaignRow } from '../state/partition-state.js';

export interface Breakdown {
  channels: readonly string[];
  campaigns: readonly string[];
}

/** Label values of one scope; an empty string is an absent label in Prometheus. */
export interface Scope {
  scope: 'shop' | 'channel' | 'campaign';
  channel: string;
  campaign: string;
}

export interface ScopedMetric extends Scope {
  metric: string;
  value: number | null;
  status: Status;
  /** What the catalog's minimum volume is measured in (impressions, clicks, payment attempts...). */
  volume: number;
}

export function businessMetrics(rows: readonly CampaignRow[], breakdown: Breakdown): ScopedMetric[] {
  const scopes: { scope: Scope; counters: CampaignCounters; includes: (row: CampaignRow) => boolean }[] = [
    { scope: { scope: 'shop', channel: '', campaign: '' }, counters: zeroCounters(CAMPAIGN_COUNTERS), includes: () => true },
    ...breakdown.channels.map((channel) => ({
      scope: { scope: 'channel' as const, channel, campaign: '' },
      counters: zeroCounters(CAMPAIGN_COUNTERS),
      includes: (row: CampaignRow) => row.channel === channel,
    })),
    ...breakdown.campaigns.map((campaign) => ({
      scope: { scope: 'campaign' as const, channel: '', campaign },
      counters: zeroCounters(CAMPAIGN_COUNTERS),
      includes: (row: CampaignRow) => row.campaignId === campaign,
    })),
  ];
  for (const row of rows) {
    for (const { counters, includes } of scopes) {
      if (!includes(row)) continue;
      CAMPAIGN_COUNTERS.forEach((name, i) => (counters[name] += row.counters[i]!));
    }
  }
  return scopes.flatMap(({ scope, counters }) =>
    METRICS.map((metric) => ({ ...scope, metric: metric.id, ...evaluateMetric(metric, counters), volume: sumCounters(counters, metric.minVolume.of) })),
  );
}
