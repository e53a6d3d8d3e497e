/**
 * What this browser remembers of its orders, per checkout server, in localStorage:
 *
 * - the order in progress, with the purchase it is for, so that reopening the same purchase (same
 *   amount or product or session, currency and country) offers to go on paying it, and another
 *   purchase starts afresh; and whether it was settled after the dialog closed, so that reopening
 *   shows its result;
 * - the ids of the orders it started, so that a redirect back with `?octopus_checkout=<id>`
 *   announces success only for an order of this browser's, not for any id in a link.
 *
 * Storage may be off or full (private mode): this is a comfort, not a requirement, so failures are quiet.
 */
import type { CheckoutOptions } from "./types.ts";

const slot = (server: string) => `octopus-checkout:${server}`;
const startedSlot = (server: string) => `octopus-checkout:started:${server}`;
/** A redirect may come back long after the order expired (a banking app left open): a day is plenty. */
const STARTED_FOR = 24 * 3600_000;

export interface Saved {
  id: string;
  /** When the order can no longer be paid (ms). */
  exp: number;
  purchase: string;
  /** Settled while the dialog was closed: reopening shows the result once. */
  settled?: boolean;
}

/** What makes two opens the same purchase: the options that decide what is bought and in which money. */
export function purchaseOf(options: CheckoutOptions & { session?: string }): string {
  return JSON.stringify([options.session, options.product, options.amount, options.amounts, options.currency, options.currencies, options.country, options.payment]);
}

const read = <T>(key: string): T | null => {
  try {
    return JSON.parse(localStorage.getItem(key)!) as T;
  } catch {
    return null;
  }
};
const write = (key: string, value: unknown) => {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {}
};

export function remember(server: string, saved: Saved): void {
  write(slot(server), saved);
}

/** The saved order, when it is for this purchase and can still be paid (or was settled meanwhile). */
export function recall(server: string, purchase: string): Saved | null {
  const saved = read<Saved>(slot(server));
  if (!saved?.id) return null;
  if (!saved.settled && !(saved.exp > Date.now())) {
    forget(server);
    return null;
  }
  return saved.purchase === purchase ? saved : null;
}

export function forget(server: string): void {
  try {
    localStorage.removeItem(slot(server));
  } catch {}
}

export function markStarted(server: string, id: string): void {
  const now = Date.now();
  const kept = (read<Array<[string, number]>>(startedSlot(server)) ?? []).filter(([, at]) => at > now - STARTED_FOR).slice(-19);
  write(startedSlot(server), [...kept, [id, now]]);
}

export function wasStarted(server: string, id: string): boolean {
  return (read<Array<[string, number]>>(startedSlot(server)) ?? []).some(([known, at]) => known === id && at > Date.now() - STARTED_FOR);
}
