/**
 * Notifications as hints. The gateway's documents name a notify_url and nothing else about it, so
 * every POST to it only means "this order may have changed: read it again with order/get". Anyone
 * can send one, so hints must not turn into gateway calls one for one:
 *
 * - a hint for an order we do not know costs one store lookup and nothing else, and so does one for
 *   an order whose create is still running (a read could find nothing yet);
 * - at most one order/get per order is in flight in this process; hints that arrive meanwhile wait
 *   for one read that starts after them (the one in flight may have started before the change);
 * - reads for hints are at least `minIntervalMs` apart: the first one claims the order in the store
 *   (`claimRefresh`, shared by every instance and by the status polls), later ones inside the
 *   interval are folded into one trailing read when it ends.
 *
 * Each hint resolves once a read that began after it has finished, and rejects if that read failed,
 * so the route can answer "success" only for a hint that was really followed.
 */
import type { Logger } from "../log.ts";
import type { OrderRecord, OrderStore } from "../store/types.ts";

export interface NotifyHintsOptions {
  store: Pick<OrderStore, "get" | "getByMerchantOrderId" | "claimRefresh">;
  /** Reads the order from the gateway and applies what it says. Throws when the gateway cannot be read. */
  read: (order: OrderRecord) => Promise<unknown>;
  now: () => number;
  /** The shortest time between two reads of one order caused by hints. */
  minIntervalMs: number;
  logger?: Logger;
  sleep?: (ms: number) => Promise<void>;
}

export type HintOutcome = "unknown_order" | "still_creating" | "read";

export interface NotifyHints {
  /** Follows a hint about `merchantOrderId`. Rejects with the read's error when the gateway could not be read. */
  hint(merchantOrderId: string): Promise<HintOutcome>;
  /** Orders with a read in flight or queued, in this process (for tests and metrics). */
  readonly pending: number;
}

interface OrderReads {
  running: Promise<void> | null;
  /** The read queued to start after `running` and the interval: every later hint joins it. */
  next: Promise<void> | null;
}

const defaultSleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref?.();
  });

export function createNotifyHints(options: NotifyHintsOptions): NotifyHints {
  const { store, read, now, minIntervalMs } = options;
  const sleep = options.sleep ?? defaultSleep;
  if (!(minIntervalMs >= 0)) throw new TypeError("minIntervalMs must not be negative");
  const reads = new Map<string, OrderReads>();

  const settle = (promise: Promise<unknown>) => promise.then(
    () => undefined,
    () => undefined,
  );

  function forget(id: string, state: OrderReads) {
    if (!state.running && !state.next && reads.get(id) === state) reads.delete(id);
  }

  function start(order: OrderRecord, state: OrderReads): Promise<void> {
    const run = read(order).then(() => undefined);
    state.running = run;
    void settle(run).then(() => {
      if (state.running === run) state.running = null;
      forget(order.id, state);
    });
    return run;
  }

  /** A read that starts after `waitMs` and after whatever is in flight: the one every later hint joins. */
  function queue(id: string, state: OrderReads, waitMs: number): Promise<void> {
    const next = (async () => {
      await sleep(waitMs);
      while (state.running) await settle(state.running);
      state.next = null;
      // Read the record again: the one the hint found may be minutes old by now.
      const order = await store.get(id);
      if (!order) return;
      await start(order, state);
    })();
    state.next = next;
    void settle(next).then(() => forget(id, state));
    return next;
  }

  async function hint(merchantOrderId: string): Promise<HintOutcome> {
    const order = await store.getByMerchantOrderId(merchantOrderId);
    if (!order) return "unknown_order";
    // Its order/new is still running here: a read now could find nothing yet and settle the order as
    // never created. The create's own answer, or the sweep after a crash, settles it.
    if (order.gatewayState === "creating") return "still_creating";
    let state = reads.get(order.id);
    if (!state) {
      state = { running: null, next: null };
      reads.set(order.id, state);
    }
    if (state.next) {
      await state.next;
      return "read";
    }
    if (state.running) {
      await queue(order.id, state, minIntervalMs);
      return "read";
    }
    const at = now();
    if (await store.claimRefresh(order.id, at - minIntervalMs, at)) {
      // Another hint may have queued a read while the claim was on its way: join it instead.
      if (state.next) {
        await state.next;
        return "read";
      }
      if (!state.running) {
        await start(order, state);
        return "read";
      }
    }
    // Read moments ago (a poll, the sweep, another hint, another instance): one read when the interval ends.
    if (state.next) {
      await state.next;
      return "read";
    }
    const since = at - (order.refreshedAt ?? at - minIntervalMs);
    const wait = Math.min(minIntervalMs, Math.max(0, minIntervalMs - since));
    await queue(order.id, state, wait);
    return "read";
  }

  return {
    hint,
    get pending() {
      return reads.size;
    },
  };
}
