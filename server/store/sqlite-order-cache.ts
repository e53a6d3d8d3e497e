/**
 * Orders the SQLite store has read or written, kept to answer `get` without reading the row again:
 * a widget polls its order every few seconds, and a create reads back the order it has just inserted
 * (under the write lock, to record the gateway's answer). Reading a row is a SELECT of 35 columns,
 * each made into a JS value, and a record built from them: most of a GET /api/checkout/:id in the
 * store, and the part the profile put first.
 *
 * Never stale. The store forgets an order whenever its own connection writes it; whatever any other
 * connection commits (a CLI, a second process) changes SQLite's `PRAGMA data_version`, which
 * `lookup` reads each time and which empties the cache when it moved. Records are frozen: every
 * caller gets the same object.
 */
import type { OrderRecord } from "./types.ts";

export interface OrderCache {
  /** The order as last read or written, or undefined (then read the row). Checks data_version first. */
  lookup(id: string): OrderRecord | undefined;
  /** Keeps the order as committed; the oldest entry goes once `max` are kept. */
  remember(order: OrderRecord): OrderRecord;
  /** The store is writing this order: read it again next time. */
  forget(id: string): void;
  /** Forgets every order: a transaction that remembered some was rolled back. */
  clear(): void;
}

export function createOrderCache(options: { dataVersion: () => number; max: number }): OrderCache {
  const orders = new Map<string, OrderRecord>();
  let version: number | undefined;
  return {
    lookup(id) {
      const now = options.dataVersion();
      if (now !== version) {
        orders.clear();
        version = now;
        return undefined;
      }
      return orders.get(id);
    },
    remember(order) {
      if (order.metadata) Object.freeze(order.metadata);
      Object.freeze(order);
      orders.delete(order.id);
      if (orders.size >= options.max) orders.delete(orders.keys().next().value!);
      orders.set(order.id, order);
      return order;
    },
    forget(id) {
      orders.delete(id);
    },
    clear() {
      orders.clear();
    },
  };
}
