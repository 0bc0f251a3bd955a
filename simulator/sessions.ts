/**
 * Shopper sessions as processes: each is a generator that emits events at its current simulated time and
 * yields the time it wants to resume. Running them one step at a time in time order lets a checkout see
 * the stock that earlier sessions left, and keeps only sessions in flight in memory.
 */
import type { LineItem } from '../schemas/events.js';
import { CAMPAIGNS, SKUS, SKU_BY_ID, type Campaign, type Channel, type Sku } from './catalog.js';
import type { EventFactory } from './event-factory.js';
import type { TimedEvent } from './messages.js';
import { WeightedPicker, type Random } from './random.js';
import type { Allocation } from './stock.js';

/** Yields the absolute simulated time (ms) at which it wants to run next. */
export type Process = Generator<number, void, undefined>;

/** What sessions build events with; a rehearsal that sends nothing passes builders that build nothing. */
export type ShopEvents = Pick<EventFactory, 'orderId' | 'click' | 'cart' | 'payment'>;

export interface ShopContext {
  readonly random: Random;
  readonly events: ShopEvents;
  userId(): string;
  /** Reserves stock for an order line; undefined when too few units are left. */
  reserve(sku: string, quantity: number, timeMs: number): Allocation[] | undefined;
  release(sku: string, allocations: readonly Allocation[]): void;
  paymentFailure(timeMs: number): { probability: number; reasons: readonly string[] };
  /** Chance that a click on the campaign's ad leads to shopping (the campaign's own, except in a surge). */
  addToCart(campaign: Campaign, timeMs: number): number;
  emit(event: TimedEvent, key: string): void;
}

/** The ad that brought a shopper; undefined for organic shoppers. */
interface Ad {
  campaign: Campaign;
  channel: Channel;
}

interface Attribution {
  campaign_id: string;
  channel: Channel;
}

/** Shoppers who come without an ad: their carts and orders count under campaign '' / channel ''. */
const ORGANIC_SESSION_SHARE = 0.03;
const ORGANIC_CHECKOUT = 0.4;
/** After an impression without a click, the chance the user scrolls on and sees the ad again. */
const SEES_AGAIN = 0.35;
const EXTRA_ADD = 0.4;
const REMOVES_A_LINE = 0.12;
const RETRIES_AFTER_FAILURE = 0.75;
const MAX_ATTEMPTS = 4;
const REFUNDED = 0.04;
/** Nobody puts three phones in a basket; several packs of socks, yes. */
const BULK_PRICE_LIMIT_MICROS = 500_000_000;

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

const cells = CAMPAIGNS.flatMap((campaign) =>
  Object.entries(campaign.channels).map(([channel, share]) => ({ campaign, channel: channel as Channel, weight: campaign.weight * share })),
);
const cellPicker = new WeightedPicker(cells, cells.map((c) => c.weight));
const skuPicker = new WeightedPicker(SKUS, SKUS.map((s) => s.popularity));

export function randomAdCell(random: Random): Ad {
  return cellPicker.pick(random);
}

export function randomSku(random: Random): Sku {
  return skuPicker.pick(random);
}

/** Starts a session at each arrival time. */
export function* shoppers(arrivals: Iterable<number>, start: (atMs: number) => void): Process {
  for (const t of arrivals) {
    const at = Math.floor(t);
    yield at;
    start(at);
  }
}

export function startSession(ctx: ShopContext, startMs: number): Process {
  if (ctx.random.chance(ORGANIC_SESSION_SHARE)) {
    return shop(ctx, startMs, ctx.userId(), undefined);
  }
  return adSession(ctx, startMs, randomAdCell(ctx.random));
}

function* adSession(ctx: ShopContext, startMs: number, ad: Ad): Process {
  const { random, events } = ctx;
  const { campaign, channel } = ad;
  const user_id = ctx.userId();
  const campaign_id = campaign.id;
  const sku = campaign.featured.length > 0 ? random.pick(campaign.featured) : undefined;
  let t = startMs;
  for (;;) {
    const cost_micros = Math.round((campaign.cpmMicros / 1000) * (0.8 + 0.4 * random.next()));
    ctx.emit(events.click(t, { type: 'impression', user_id, campaign_id, channel, sku, cost_micros }), user_id);
    if (random.chance(campaign.ctr)) break;
    if (!random.chance(SEES_AGAIN)) return;
    yield (t += random.between(5 * SECOND, 90 * SECOND));
  }
  yield (t += random.between(1 * SECOND, 8 * SECOND));
  const cost_micros = Math.round(campaign.cpcMicros * (0.8 + 0.4 * random.next()));
  ctx.emit(events.click(t, { type: 'click', user_id, campaign_id, channel, sku, cost_micros }), user_id);
  if (random.chance(ctx.addToCart(campaign, t))) yield* shop(ctx, t, user_id, ad);
}

/** A shopper filling a basket; the ad that brought them sets the odds and the featured SKUs. */
function* shop(ctx: ShopContext, startMs: number, user_id: string, ad: Ad | undefined): Process {
  const { random, events } = ctx;
  const campaign = ad?.campaign;
  const attribution: Attribution | undefined = ad && { campaign_id: ad.campaign.id, channel: ad.channel };
  const basket = new Map<string, LineItem>();
  let t = startMs;
  do {
    yield (t += random.between(10 * SECOND, 2 * MINUTE));
    const sku = campaign !== undefined && campaign.featured.length > 0 && random.chance(campaign.featuredShare)
      ? SKU_BY_ID.get(random.pick(campaign.featured))!
      : randomSku(random);
    const quantity = sku.priceMicros > BULK_PRICE_LIMIT_MICROS || random.chance(0.8) ? 1 : random.between(2, 3);
    const line = basket.get(sku.id) ?? { sku: sku.id, quantity: 0, unit_price_micros: sku.priceMicros };
    line.quantity += quantity;
    basket.set(sku.id, line);
    ctx.emit(events.cart(t, { type: 'add', user_id, sku: sku.id, quantity, unit_price_micros: sku.priceMicros, ...attribution }), user_id);
  } while (random.chance(EXTRA_ADD));

  if (random.chance(REMOVES_A_LINE)) {
    yield (t += random.between(5 * SECOND, MINUTE));
    const line = random.pick([...basket.values()]);
    basket.delete(line.sku);
    ctx.emit(events.cart(t, { type: 'remove', user_id, ...line, ...attribution }), user_id);
  }
  if (basket.size === 0 || !random.chance(campaign?.checkout ?? ORGANIC_CHECKOUT)) return;
  yield (t += random.between(30 * SECOND, 10 * MINUTE));
  yield* checkout(ctx, t, user_id, attribution, [...basket.values()]);
}

function* checkout(
  ctx: ShopContext,
  startMs: number,
  user_id: string,
  attribution: Attribution | undefined,
  basket: readonly LineItem[],
): Process {
  const { random, events } = ctx;
  const reserved: { item: LineItem; allocations: Allocation[] }[] = [];
  for (const item of basket) {
    const allocations = ctx.reserve(item.sku, item.quantity, startMs);
    // A sold-out line silently drops out of the order: that demand is the lost sales the stock light is about.
    if (allocations !== undefined) reserved.push({ item: { ...item }, allocations });
  }
  if (reserved.length === 0) return;
  const items = reserved.map((r) => r.item);
  const order = {
    order_id: events.orderId(),
    user_id,
    amount_micros: items.reduce((sum, i) => sum + i.quantity * i.unit_price_micros, 0),
    items,
    ...attribution,
  };
  let t = startMs;
  for (let attempt = 1; ; attempt++) {
    const failure = ctx.paymentFailure(t);
    if (random.chance(failure.probability)) {
      const failure_reason = random.pick(failure.reasons);
      ctx.emit(events.payment(t, { status: 'failed', attempt, failure_reason, ...order }), order.order_id);
      if (attempt === MAX_ATTEMPTS || !random.chance(RETRIES_AFTER_FAILURE)) {
        for (const r of reserved) ctx.release(r.item.sku, r.allocations);
        return;
      }
      yield (t += random.between(15 * SECOND, 2 * MINUTE));
      continue;
    }
    ctx.emit(events.payment(t, { status: 'succeeded', attempt, ...order }), order.order_id);
    if (random.chance(REFUNDED)) {
      yield (t += Math.round(random.logUniform(20 * MINUTE, 8 * HOUR)));
      ctx.emit(events.payment(t, { status: 'refunded', attempt, ...order }), order.order_id);
    }
    return;
  }
}
