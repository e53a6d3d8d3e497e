/**
 * A store that notes every status change it commits, as it commits it: what the server tests count
 * when they assert "once per change", independent of how (and when) events are delivered.
 */
import type { OrderRecord, OrderStore, StatusChange } from "../../server/store/types.ts";

export type RecordedChange = { order: OrderRecord; change: StatusChange };

export function recordChanges(store: OrderStore, sink: RecordedChange[]): OrderStore {
  return {
    ...store,
    async recordGatewayAnswer(expected, patch, update) {
      const result = await store.recordGatewayAnswer(expected, patch, update);
      if (result?.changed) sink.push({ order: result.order, change: result.change });
      return result;
    },
    async transition(id, update) {
      const result = await store.transition(id, update);
      if (result?.changed) sink.push({ order: result.order, change: result.change });
      return result;
    },
  };
}
