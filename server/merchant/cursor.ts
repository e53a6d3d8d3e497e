/**
 * What a list's `starting_after` (the CLI's --starting-after) must name: an item of that list. One
 * that names nothing would page to an empty answer, which a sync job reads as the end of the list.
 */
import type { OrderStore } from "../store/types.ts";

export type PagedList = "checkout" | "payout" | "event";

/** Whether `id` is an item of `list`: an order of that kind, or an event. */
export async function isListItem(store: OrderStore, list: PagedList, id: string): Promise<boolean> {
  return list === "event" ? (await store.getEvent(id)) !== null : (await store.get(id))?.kind === list;
}
