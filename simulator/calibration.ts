/**
 * Sizes the day before it starts: the session rate that yields the requested message count, how often
 * stock is snapshotted, and how many of each injected message kind to send. A pilot runs the real session
 * processes instead of a hand-derived formula, so the sizing cannot drift from the model.
 */
import { NORMAL_FAILURE_RATE, PAYMENT_FAILURE_REASONS, SKUS } from './catalog.js';
import { MALFORMED_REASONS, type MalformedReason, type SimulationConfig } from './config.js';
import { EventFactory } from './event-factory.js';
import type { Random } from './random.js';
import { startSession, type ShopContext } from './sessions.js';
import { HOUR_MS, MINUTE_MS } from './zone.js';

export type InjectedKind = 'too_late' | MalformedReason;

export interface Calibration {
  sessionsPerLevelMinute: number;
  /** Size of the user pool; a shopper comes back about five times in the period. */
  users: number;
  inventoryIntervalMs: number;
  injections: Record<InjectedKind, number>;
}

const PILOT_SESSIONS = 20_000;

export function calibrate(config: SimulationConfig, levels: Float64Array, random: Random): Calibration {
  const messagesPerSession = pilotMessagesPerSession(config, random);
  const injections = injectionCounts(config);
  const injected = Object.values(injections).reduce((a, b) => a + b, 0);

  // Snapshots at least hourly, so a small run can hold more of them than its inventory share.
  const stockPairs = SKUS.reduce((n, sku) => n + Math.max(1, sku.warehouses.length), 0);
  const periodMs = config.endMs - config.startMs;
  const wantedSnapshots = config.inventoryShare * config.events;
  const inventoryIntervalMs = clamp(Math.round((stockPairs * periodMs) / wantedSnapshots / 1000) * 1000, MINUTE_MS, HOUR_MS);
  const snapshots = stockPairs * (periodMs / inventoryIntervalMs);

  const sessionMessages = (config.events - injected) / (1 + config.shares.duplicate) - snapshots;
  const expectedSessions = Math.max(1, sessionMessages / messagesPerSession);
  let levelTotal = 0;
  for (const level of levels) levelTotal += level;
  return {
    sessionsPerLevelMinute: expectedSessions / levelTotal,
    users: Math.max(500, Math.round(expectedSessions / 5)),
    inventoryIntervalMs,
    injections,
  };
}

/** At least one of each enabled kind, so even a small run exercises every dead-letter reason. */
function injectionCounts(config: SimulationConfig): Record<InjectedKind, number> {
  const counts = {} as Record<InjectedKind, number>;
  for (const kind of ['too_late', ...MALFORMED_REASONS] as const) {
    const share = config.shares[kind];
    counts[kind] = share > 0 ? Math.max(1, Math.round(share * config.events)) : 0;
  }
  return counts;
}

/** Messages a session sends on average, payment callback re-sends included. */
function pilotMessagesPerSession(config: SimulationConfig, random: Random): number {
  let messages = 0;
  const ctx: ShopContext = {
    random,
    events: new EventFactory(config.zone, config.currency, 'pilot'),
    userId: () => 'pilot',
    reserve: (_sku, quantity) => [{ warehouse: '', quantity }],
    release: () => {},
    paymentFailure: () => ({ probability: NORMAL_FAILURE_RATE, reasons: PAYMENT_FAILURE_REASONS }),
    addToCart: (campaign) => campaign.addToCart,
    emit(event) {
      messages += event.stream === 'payment' ? 1 + config.shares.callback_resend : 1;
    },
  };
  for (let i = 0; i < PILOT_SESSIONS; i++) {
    const session = startSession(ctx, 0);
    while (!session.next().done);
  }
  return messages / PILOT_SESSIONS;
}

function clamp(x: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, x));
}
