/**
 * Adds one accepted event to its partition's cumulative rows. Every row is checked with
 * `state.admits(row, offset)`, so a message replayed after a crash is added only to the rows that
 * were not yet stored with it.
 */
import { UNATTRIBUTED } from '../../schemas/counters.js';
import type { Decoded } from '../../schemas/decode.js';
import type { HourBucketer } from '../window/hour-bucket.js';
import { CAMPAIGN_INDEX as C, SKU_INDEX as S, type PartitionState } from '../state/partition-state.js';

export function applyEvent(state: PartitionState, decoded: Decoded, offset: number, hourOf: HourBucketer): void {
  const hour = hourOf(decoded.eventTimeMs);
  switch (decoded.stream) {
    case 'click': {
      const e = decoded.event;
      const row = state.campaignRow(hour, state.boundedId('campaign', hour, e.campaign_id, offset), e.channel, offset);
      if (!state.admits(row, offset)) return;
      row.counters[e.type === 'click' ? C.clicks : C.impressions]! += 1;
      row.counters[C.spend_micros]! += e.cost_micros;
      return;
    }
    case 'cart': {
      const e = decoded.event;
      const row = state.campaignRow(hour, state.boundedId('campaign', hour, e.campaign_id ?? UNATTRIBUTED, offset), e.channel ?? UNATTRIBUTED, offset);
      if (state.admits(row, offset)) row.counters[e.type === 'add' ? C.cart_adds : C.cart_removes]! += 1;
      if (e.type === 'add') {
        const sku = state.skuRow(hour, state.boundedId('sku', hour, e.sku, offset), offset);
        if (state.admits(sku, offset)) {
          sku.counters[S.cart_adds]! += 1;
          sku.counters[S.cart_add_units]! += e.quantity;
        }
      }
      return;
    }
    case 'payment': {
      const e = decoded.event;
      const row = state.campaignRow(hour, state.boundedId('campaign', hour, e.campaign_id ?? UNATTRIBUTED, offset), e.channel ?? UNATTRIBUTED, offset);
      if (state.admits(row, offset)) {
        if (e.status === 'succeeded') {
          row.counters[C.paid_orders]! += 1;
          row.counters[C.paid_micros]! += e.amount_micros;
        } else if (e.status === 'failed') {
          row.counters[C.failed_payments]! += 1;
        } else {
          row.counters[C.refunds]! += 1;
          row.counters[C.refunded_micros]! += e.amount_micros;
        }
      }
      if (e.status === 'failed') return;
      const units = e.status === 'succeeded' ? S.units_sold : S.units_refunded;
      // One payment may list a SKU twice (or two that overflow into one row); the row is admitted once
      // per message, then all its lines added.
      const admitted = new Set<string>();
      for (const item of e.items) {
        const id = state.boundedId('sku', hour, item.sku, offset);
        const sku = state.skuRow(hour, id, offset);
        if (admitted.has(id) || state.admits(sku, offset)) {
          admitted.add(id);
          sku.counters[units]! += item.quantity;
        }
      }
      return;
    }
    case 'inventory': {
      const e = decoded.event;
      const row = state.inventoryRow(hour, state.boundedId('inventory', hour, e.sku, offset), e.warehouse ?? '', offset);
      // Latest snapshot by event time; among equal times the later offset wins.
      if (decoded.eventTimeMs < row.snapshotTimeMs || !state.admits(row, offset)) return;
      row.available = e.available;
      row.snapshotTimeMs = decoded.eventTimeMs;
      row.snapshotOffset = offset;
      return;
    }
  }
}
