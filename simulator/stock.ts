/**
 * Stock per SKU and warehouse. Units are reserved at checkout and released when an order is abandoned
 * after failed payments, so snapshots fall as orders are placed, the way a shop's stock service reports.
 */

/** '' stands for a SKU whose stock is reported without a warehouse. */
export type StockLevels = Map<string, Map<string, number>>;

export interface Allocation {
  warehouse: string;
  quantity: number;
}

export class StockLedger {
  constructor(private readonly levels: StockLevels) {}

  level(sku: string, warehouse: string): number {
    return this.levels.get(sku)?.get(warehouse) ?? 0;
  }

  available(sku: string): number {
    let total = 0;
    for (const units of this.levels.get(sku)?.values() ?? []) total += units;
    return total;
  }

  /** Takes units from the fullest warehouses first; undefined (and nothing taken) when too few are left. */
  reserve(sku: string, quantity: number): Allocation[] | undefined {
    const warehouses = this.levels.get(sku);
    if (warehouses === undefined || this.available(sku) < quantity) return undefined;
    const allocations: Allocation[] = [];
    let missing = quantity;
    for (const [warehouse, units] of [...warehouses].sort((a, b) => b[1] - a[1])) {
      if (missing === 0) break;
      const taken = Math.min(units, missing);
      if (taken === 0) continue;
      warehouses.set(warehouse, units - taken);
      allocations.push({ warehouse, quantity: taken });
      missing -= taken;
    }
    return allocations;
  }

  release(sku: string, allocations: readonly Allocation[]): void {
    const warehouses = this.levels.get(sku);
    if (warehouses === undefined) return;
    for (const { warehouse, quantity } of allocations) warehouses.set(warehouse, (warehouses.get(warehouse) ?? 0) + quantity);
  }
}
