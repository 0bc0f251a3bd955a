/**
 * The day as a stream of messages in send-time order. A discrete-event loop runs shopper sessions,
 * stock feeds and injections as processes on one time-ordered queue; their messages enter the same queue
 * at their send time (late ones hours after their event time), so memory holds only what is in flight.
 */
import type { Stream } from '../schemas/topics.js';
import { SELLOUT_SKU, SKUS } from './catalog.js';
import { calibrate } from './calibration.js';
import { MALFORMED_REASONS, type SimulationConfig } from './config.js';
import { EventFactory } from './event-factory.js';
import { EventQueue } from './event-queue.js';
import { sampleEvent } from './injections.js';
import { corrupt, streamsFor } from './malformed.js';
import { serialize, type SimMessage, type TimedEvent } from './messages.js';
import { Random } from './random.js';
import { ProducerRetries } from './producer-retries.js';
import { addToCartOdds, paymentFailureOdds, scenarioReport, type ScenarioReport } from './scenario.js';
import { shoppers, startSession, type Process, type ShopContext } from './sessions.js';
import { planStock } from './stock-plan.js';
import { StockLedger } from './stock.js';
import { minuteLevels, poissonArrivals } from './traffic-curve.js';
import { HOUR_MS, MINUTE_MS } from './zone.js';

/** On-time messages leave the client within this delay after their event time. */
const MAX_SEND_DELAY_MS = 1500;
const MIN_LATENESS_MS = 2 * MINUTE_MS;
const MAX_LATENESS_MS = 10 * HOUR_MS;
/** Too-late events are this far behind their send time; the processor's allowed lateness is 48 h. */
const TOO_LATE_BY_MS = 72 * HOUR_MS;
const TOO_LATE_STREAMS: readonly Stream[] = ['click', 'cart', 'inventory'];

export function* generateMessages(config: SimulationConfig): Generator<SimMessage, ScenarioReport, undefined> {
  const { zone, startMs, endMs, shares } = config;
  const root = new Random(config.seed);
  const sessionRandom = root.fork(1);
  const deliveryRandom = root.fork(2);
  const injectionRandom = root.fork(3);
  const arrivalRandom = root.fork(4);
  const stockRandom = root.fork(5);
  const levels = minuteLevels(zone, startMs, endMs);
  const plan = calibrate(config, levels, root.fork(6));
  const arrivalsFrom = (random: Random) => poissonArrivals(levels, startMs, plan.sessionsPerLevelMinute, random);
  // Clones: the rehearsal must meet exactly the shoppers this run will meet.
  const initialStock = planStock(config, plan, arrivalsFrom(arrivalRandom.clone()), sessionRandom.clone());
  const events = new EventFactory(zone, config.currency, `s${config.seed.toString(36)}-${(startMs / MINUTE_MS).toString(36)}`);
  const stock = new StockLedger(initialStock);
  const selloutInitialStock = stock.available(SELLOUT_SKU);
  const queue = new EventQueue<Process | SimMessage>();
  const lastCountedKey: Partial<Record<Stream, string>> = {};
  const lastSnapshotMs = new Map<string, number>();
  let soldOutAtMs: number | undefined;

  const schedule = (process: Process) => {
    const next = process.next();
    if (!next.done && next.value < endMs) queue.push(next.value, process);
  };
  const send = (message: SimMessage) => queue.push(message.timestampMs, message);
  const userId = (random: Random) => `u${random.int(plan.users)}`;

  const emit = (event: TimedEvent, key: string) => {
    // The period ends for every process at once; nothing after it belongs to a simulated hour.
    if (event.timeMs >= endMs) return;
    const room = endMs - 1 - event.timeMs;
    const late = room >= MIN_LATENESS_MS && deliveryRandom.chance(shares.late);
    const delay = late
      ? Math.round(deliveryRandom.logUniform(MIN_LATENESS_MS, Math.min(MAX_LATENESS_MS, room)))
      : Math.min(deliveryRandom.int(MAX_SEND_DELAY_MS), room);
    const timestampMs = event.timeMs + delay;
    send({ stream: event.stream, key, value: serialize(event), timestampMs, expected: 'counted', event });
    if (event.stream === 'payment' && deliveryRandom.chance(shares.callback_resend)) {
      const resendMs = timestampMs + Math.round(deliveryRandom.logUniform(5_000, 10 * MINUTE_MS));
      const resent = events.resend(event);
      if (resendMs < endMs) send({ stream: 'payment', key, value: serialize(resent), timestampMs: resendMs, expected: 'duplicate', event: resent });
    }
  };

  const snapshot = (sku: string, warehouse: string, timeMs: number) => {
    const pair = `${sku}\u0000${warehouse}`;
    const previous = lastSnapshotMs.get(pair);
    // Two snapshots of one warehouse at the same instant would make "the latest" ambiguous.
    const t = previous !== undefined && timeMs <= previous ? previous + 1 : timeMs;
    lastSnapshotMs.set(pair, t);
    const available = stock.level(sku, warehouse);
    emit(events.inventory(t, { sku, available, warehouse: warehouse === '' ? undefined : warehouse }), sku);
  };

  const ctx: ShopContext = {
    random: sessionRandom,
    events,
    userId: () => userId(sessionRandom),
    reserve(sku, quantity, timeMs) {
      const allocations = stock.reserve(sku, quantity);
      for (const { warehouse } of allocations ?? []) {
        // Stock services report a warehouse running dry at once, not at the next periodic snapshot.
        if (stock.level(sku, warehouse) === 0) snapshot(sku, warehouse, timeMs);
      }
      if (sku === SELLOUT_SKU && soldOutAtMs === undefined && stock.available(sku) === 0) soldOutAtMs = timeMs;
      return allocations;
    },
    release: (sku, allocations) => stock.release(sku, allocations),
    paymentFailure: (timeMs) => paymentFailureOdds(config, timeMs),
    addToCart: (campaign, timeMs) => addToCartOdds(config, campaign, timeMs),
    emit,
  };

  function* stockFeed(sku: string, warehouse: string, phaseMs: number): Process {
    for (let t = startMs + phaseMs; t < endMs; t += plan.inventoryIntervalMs) {
      yield t;
      snapshot(sku, warehouse, t);
    }
  }

  function* atTimes(times: number[], act: (t: number) => void): Process {
    for (const t of times.sort((a, b) => a - b)) {
      yield t;
      act(t);
    }
  }
  const uniformTimes = (count: number, from: number) => Array.from({ length: count }, () => from + injectionRandom.int(endMs - from));

  schedule(shoppers(arrivalsFrom(arrivalRandom), (at) => schedule(startSession(ctx, at))));
  for (const sku of SKUS) {
    for (const warehouse of sku.warehouses.length > 0 ? sku.warehouses : ['']) {
      schedule(stockFeed(sku.id, warehouse, stockRandom.int(plan.inventoryIntervalMs)));
    }
  }
  for (const reason of MALFORMED_REASONS) {
    schedule(
      atTimes(uniformTimes(plan.injections[reason], startMs), (t) => {
        const stream = injectionRandom.pick(streamsFor(reason));
        const { event, key } = sampleEvent(injectionRandom, events, stream, t, userId(injectionRandom));
        const value = corrupt(reason, event, t, config.currency, injectionRandom);
        send({ stream, key, value, timestampMs: t, expected: { reason } });
      }),
    );
  }
  // Sent only in the last quarter, on a key whose partition has recent events, so the partition's
  // watermark is certainly far ahead of these events when they arrive.
  const lastQuarter = endMs - Math.floor((endMs - startMs) / 4);
  schedule(
    atTimes(uniformTimes(plan.injections.too_late, lastQuarter), (t) => {
      const stream = injectionRandom.pick(TOO_LATE_STREAMS);
      const { event, key } = sampleEvent(injectionRandom, events, stream, t - TOO_LATE_BY_MS, userId(injectionRandom), lastCountedKey[stream]);
      send({ stream, key, value: serialize(event), timestampMs: t, expected: { reason: 'too_late' }, event });
    }),
  );

  const retries = new ProducerRetries(deliveryRandom, shares.duplicate);
  let lastTimestampMs = startMs;
  for (let entry = queue.pop(); entry !== undefined; entry = queue.pop()) {
    const message = entry.value;
    if (!('stream' in message)) {
      schedule(message);
      continue;
    }
    yield message;
    lastTimestampMs = message.timestampMs;
    if (message.expected === 'counted') lastCountedKey[message.stream] = message.key;
    yield* retries.after(message);
  }
  yield* retries.remaining(lastTimestampMs);

  return scenarioReport(config, { selloutInitialStock, soldOutAtMs, inventoryIntervalMs: plan.inventoryIntervalMs });
}
