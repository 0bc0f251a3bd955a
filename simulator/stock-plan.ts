/**
 * Initial stock, sized by rehearsing the day. Stock never changes a shopper's choices until something runs
 * out, so the day's shoppers are run once ahead with unlimited stock and nothing sent, counting the units
 * each SKU gets reserved (net of releases). The real run, started with exactly the sell-out SKU's demand
 * up to its target time and the same random streams, follows the same path and runs that SKU dry at the
 * target, however small the run. Every other SKU gets comfortably more than its demand for the period.
 */
import { SELLOUT_SKU, SKUS } from './catalog.js';
import type { Calibration } from './calibration.js';
import type { SimulationConfig } from './config.js';
import { EventQueue } from './event-queue.js';
import type { Random } from './random.js';
import { addToCartOdds, paymentFailureOdds } from './scenario.js';
import { shoppers, startSession, type Process, type ShopContext, type ShopEvents } from './sessions.js';
import type { StockLevels } from './stock.js';

/** Past the sell-out, shoppers diverge from the rehearsal; the margin absorbs that and keeps levels visibly falling. */
const AMPLE_FACTOR = 1.25;
const AMPLE_EXTRA_UNITS = 5;

/** Nothing is emitted in a rehearsal, so no event is ever built. */
const unbuilt = () => undefined as never;
const NO_EVENTS: ShopEvents = { orderId: () => '', click: unbuilt, cart: unbuilt, payment: unbuilt };

export function planStock(
  config: SimulationConfig,
  plan: Calibration,
  arrivals: Iterable<number>,
  sessionRandom: Random,
): StockLevels {
  const reserved = new Map<string, number>();
  const add = (sku: string, units: number) => reserved.set(sku, (reserved.get(sku) ?? 0) + units);
  const ctx: ShopContext = {
    random: sessionRandom,
    events: NO_EVENTS,
    userId: () => `u${sessionRandom.int(plan.users)}`,
    reserve(sku, quantity) {
      add(sku, quantity);
      return [{ warehouse: '', quantity }];
    },
    release: (sku, allocations) => allocations.forEach((a) => add(sku, -a.quantity)),
    paymentFailure: (timeMs) => paymentFailureOdds(config, timeMs),
    addToCart: (campaign, timeMs) => addToCartOdds(config, campaign, timeMs),
    emit: () => {},
  };
  const queue = new EventQueue<Process>();
  const schedule = (process: Process) => {
    const next = process.next();
    if (!next.done && next.value < config.endMs) queue.push(next.value, process);
  };
  schedule(shoppers(arrivals, (at) => schedule(startSession(ctx, at))));

  let selloutDemand: number | undefined;
  for (let entry = queue.pop(); entry !== undefined; entry = queue.pop()) {
    if (config.selloutTargetMs !== undefined && selloutDemand === undefined && entry.time >= config.selloutTargetMs) {
      selloutDemand = reserved.get(SELLOUT_SKU) ?? 0;
    }
    schedule(entry.value);
  }

  const levels: StockLevels = new Map();
  for (const sku of SKUS) {
    const demand = reserved.get(sku.id) ?? 0;
    const units = sku.id === SELLOUT_SKU && config.selloutTargetMs !== undefined
      ? Math.max(1, selloutDemand ?? demand)
      : Math.ceil(demand * AMPLE_FACTOR) + AMPLE_EXTRA_UNITS;
    levels.set(sku.id, splitStock(units, sku.warehouses));
  }
  return levels;
}

/** Uneven on purpose (2:1 for two warehouses), so the per-warehouse levels differ and sum visibly. */
function splitStock(total: number, warehouses: readonly string[]): Map<string, number> {
  if (warehouses.length === 0) return new Map([['', total]]);
  const weightSum = (warehouses.length * (warehouses.length + 1)) / 2;
  const out = new Map<string, number>();
  let left = total;
  warehouses.forEach((warehouse, i) => {
    const units = i === warehouses.length - 1 ? left : Math.round((total * (warehouses.length - i)) / weightSum);
    out.set(warehouse, units);
    left -= units;
  });
  return out;
}
