/** The day's scripted moments (sale opening, payment incident, sell-out) and the report of how they played out. */
import { CAMPAIGNS, INCIDENT_FAILURE_REASONS, NORMAL_FAILURE_RATE, PAYMENT_FAILURE_REASONS, SELLOUT_SKU, type Campaign, type CampaignProfile } from './catalog.js';
import type { SimulationConfig } from './config.js';

/** What happened in the scenario, for the truth file and for people reading dashboards against it. */
export interface ScenarioReport {
  campaigns: { campaign_id: string; profile: CampaignProfile; channels: string[] }[];
  /** Local midnights in the period: the sale opens and traffic rushes. */
  sale_opens: string[];
  incident: { start: string; end: string; failure_rate: number } | null;
  sellout: { sku: string; initial_stock: number; target: string | null; sold_out_at: string | null };
  /** The campaign whose cart adds surge, and when; null when the period is too short to have a yesterday. */
  surge: { campaign_id: string; start: string; end: string; factor: number } | null;
  inventory_interval_ms: number;
}

export interface PaymentFailureOdds {
  probability: number;
  reasons: readonly string[];
}

export function paymentFailureOdds(config: SimulationConfig, timeMs: number): PaymentFailureOdds {
  const { incidentStartMs, incidentEndMs } = config;
  const inIncident = incidentStartMs !== undefined && incidentEndMs !== undefined && timeMs >= incidentStartMs && timeMs < incidentEndMs;
  return inIncident
    ? { probability: config.incident.failureRate, reasons: INCIDENT_FAILURE_REASONS }
    : { probability: NORMAL_FAILURE_RATE, reasons: PAYMENT_FAILURE_REASONS };
}

/** The campaign's add-to-cart odds at an instant: multiplied during the surge. */
export function addToCartOdds(config: SimulationConfig, campaign: Campaign, timeMs: number): number {
  const { surgeStartMs, surgeEndMs, surge } = config;
  const inSurge = surgeStartMs !== undefined && surgeEndMs !== undefined && timeMs >= surgeStartMs && timeMs < surgeEndMs;
  return inSurge && campaign.id === surge.campaign ? Math.min(1, campaign.addToCart * surge.factor) : campaign.addToCart;
}

export function scenarioReport(
  config: SimulationConfig,
  played: { selloutInitialStock: number; soldOutAtMs: number | undefined; inventoryIntervalMs: number },
): ScenarioReport {
  const { incidentStartMs, incidentEndMs, selloutTargetMs, surgeStartMs, surgeEndMs } = config;
  return {
    campaigns: CAMPAIGNS.map((c) => ({ campaign_id: c.id, profile: c.profile, channels: Object.keys(c.channels) })),
    sale_opens: localMidnights(config).map(iso),
    incident:
      incidentStartMs === undefined || incidentEndMs === undefined
        ? null
        : { start: iso(incidentStartMs), end: iso(incidentEndMs), failure_rate: config.incident.failureRate },
    sellout: {
      sku: SELLOUT_SKU,
      initial_stock: played.selloutInitialStock,
      target: selloutTargetMs === undefined ? null : iso(selloutTargetMs),
      sold_out_at: played.soldOutAtMs === undefined ? null : iso(played.soldOutAtMs),
    },
    surge:
      surgeStartMs === undefined || surgeEndMs === undefined
        ? null
        : { campaign_id: config.surge.campaign, start: iso(surgeStartMs), end: iso(surgeEndMs), factor: config.surge.factor },
    inventory_interval_ms: played.inventoryIntervalMs,
  };
}

function localMidnights(config: SimulationConfig): number[] {
  const out: number[] = [];
  for (let t = config.zone.firstOccurrence('00:00', config.startMs, config.endMs); t !== undefined; ) {
    out.push(t);
    t = config.zone.firstOccurrence('00:00', t + 1, config.endMs);
  }
  return out;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
