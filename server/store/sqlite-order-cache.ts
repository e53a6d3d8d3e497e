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
  /**
   * The order as last read or written, or undefined (then read the row). Checks data_version first:
   * once per turn of the event loop, or, with `fresh` (a write transaction deciding from the
   * order), every time.
   */
  lookup(id: string, fresh?: boolean): OrderRecord | undefined;
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
  // PRAGMA data_version opens and closes a read transaction (two fcntl calls on the WAL's shared
  // memory): about a quarter of a cached GET's CPU. The reads that one turn of the event loop serves
  // (a busy server's requests arrive several to a turn) share one check: they see the database as
  // of the first of them, as if they had come a moment earlier, and the next turn checks again.
  // Never for a write: what it decides from the order must be what is committed now.
  let checked = false;
  const uncheck = () => {
    checked = false;
  };
  return {
    lookup(id, fresh = false) {
      if (fresh || !checked) {
        if (!checked) setImmediate(uncheck);
        checked = true;
        const now = options.dataVersion();
        if (now !== version) {
          orders.clear();
          version = now;
          return undefined;
        }
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
