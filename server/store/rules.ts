/**
 * The decisions both stores make the same way, as plain functions and lists: what a status read
 * does to an order, and which orders the sweep wants. The stores only add the locking around them.
 */
import { FINAL_STATUSES, type PaymentStatus } from "../gateway/schemas.ts";
import { canTransition, type GatewayState, type GatewayStatePatch, type OrderKind, type OrderRecord, type StatusChange, type StatusUpdate } from "./types.ts";

/** Every kind of order, for queries that read one kind at a time. */
export const ORDER_KINDS: readonly OrderKind[] = ["checkout", "payout"];

/**
 * The newest orders of every kind, read through orders_kind (kind, created_at) one kind at a time
 * and merged: no index on created_at alone is kept just for this (each one costs every create a
 * write). SQL both dialects accept; `limit` is a parameter written by the store (`?` or `$1`).
 */
export function recentOrdersSql(table: string, limit: string): string {
  const perKind = ORDER_KINDS.map((kind) => `SELECT * FROM (SELECT * FROM ${table} WHERE kind = '${kind}' ORDER BY created_at DESC, id DESC LIMIT ${limit}) AS ${kind}_orders`);
  return `SELECT * FROM (${perKind.join(" UNION ALL ")}) AS recent ORDER BY created_at DESC, id DESC LIMIT ${limit}`;
}

/** The terminal statuses, as a list for `NOT IN (...)`. */
export const FINAL_STATUS_LIST: readonly PaymentStatus[] = [...FINAL_STATUSES];

/**
 * The lease owner of an order parked for a later re-read (`deferSweep`): final or not, the sweep
 * wants it again once the lease runs out.
 */
export const RECHECK_OWNER = "recheck";

/** Gateway states the sweep must resolve whatever the status says: the order/new outcome is unknown. */
export const SWEEP_GATEWAY_STATES: readonly GatewayState[] = ["creating", "unknown"];

/** What `transition` writes: the whole new state of the fields it owns, plus the change, if any. */
export interface TransitionPlan {
  status: PaymentStatus;
  finalAmount: string | null;
  floatingAmount: string | null;
  paymentUid: string | null;
  paymentFailReason: string | null;
  refreshedAt: number;
  updatedAt: number;
  /** Set when the status moves; the store records exactly this row in the history. */
  change: StatusChange | null;
}

/**
 * Applies a status read to the order as it is now (read under a lock by the caller, so that of
 * concurrent identical reads only the first finds the old status and produces a change).
 *
 * Amounts (and the gateway's payment_uid and fail reason, kept the same way): when the read is applied or repeats the current status, the amounts it gives replace
 * ours (`undefined` = not reported, kept; `null` = reported empty). When the move is refused, the
 * read is older than what we know (or we marked the order overdue ourselves), so its amounts only
 * fill in ones we do not have and never overwrite a newer value.
 */
export function planTransition(current: OrderRecord, update: StatusUpdate): TransitionPlan {
  const moves = current.status !== update.status && canTransition(current.status, update.status);
  const readIsCurrent = moves || current.status === update.status;
  const pick = (ours: string | null, theirs: string | null | undefined): string | null => {
    if (theirs === undefined) return ours;
    return readIsCurrent ? theirs : (ours ?? theirs);
  };
  const status = moves ? update.status : current.status;
  const finalAmount = pick(current.finalAmount, update.finalAmount);
  const floatingAmount = pick(current.floatingAmount, update.floatingAmount);
  const paymentUid = pick(current.paymentUid, update.paymentUid);
  const paymentFailReason = pick(current.paymentFailReason, update.paymentFailReason);
  const modified =
    moves ||
    finalAmount !== current.finalAmount ||
    floatingAmount !== current.floatingAmount ||
    paymentUid !== current.paymentUid ||
    paymentFailReason !== current.paymentFailReason;
  return {
    status,
    finalAmount,
    floatingAmount,
    paymentUid,
    paymentFailReason,
    refreshedAt: update.at,
    // A read that only confirms what we had is a refresh, not a modification.
    updatedAt: modified ? update.at : current.updatedAt,
    change: moves ? { orderId: current.id, from: current.status, to: update.status, source: update.source, at: update.at } : null,
  };
}

/**
 * The whole history after a move from "none", without reading it: nothing moves back to "none"
 * (it ranks lowest), so an order there has no change recorded yet and this one is its first.
 * Null for any other move: the history must be read.
 */
export function firstChange(change: StatusChange): StatusChange[] | null {
  return change.from === "none" ? [change] : null;
}

/** What `setGatewayState` writes, applied to the record: fields the patch leaves undefined stay. */
export function withGatewayPatch(order: OrderRecord, patch: GatewayStatePatch): OrderRecord {
  return {
    ...order,
    gatewayState: patch.gatewayState,
    ...(patch.paymentUrl !== undefined ? { paymentUrl: patch.paymentUrl } : {}),
    ...(patch.errorCode !== undefined ? { errorCode: patch.errorCode } : {}),
    updatedAt: patch.at,
  };
}

/** `planTransition`'s result applied to the record, for returning what was written. */
export function applyPlan(current: OrderRecord, plan: TransitionPlan): OrderRecord {
  return {
    ...current,
    status: plan.status,
    finalAmount: plan.finalAmount,
    floatingAmount: plan.floatingAmount,
    paymentUid: plan.paymentUid,
    paymentFailReason: plan.paymentFailReason,
    refreshedAt: plan.refreshedAt,
    updatedAt: plan.updatedAt,
  };
}

const sqlList = (values: readonly string[]) => values.map((value) => `'${value}'`).join(", ");

/**
 * "This order needs the sweep", as SQL both dialects accept. Written out with literals (our own
 * constants, never input) so that the partial index on the same expression matches the query.
 */
// A "rejected" order never reached the gateway: there is nothing to re-read, whatever its status.
export const SWEEP_WANTED_SQL = `((status NOT IN (${sqlList(FINAL_STATUS_LIST)}) AND gateway_state <> 'rejected') OR gateway_state IN (${sqlList(SWEEP_GATEWAY_STATES)}) OR sweep_owner = '${RECHECK_OWNER}')`;

/** Oldest refresh first; never-refreshed orders before all others; then the oldest order. */
export const SWEEP_ORDER_SQL = "refreshed_at ASC NULLS FIRST, created_at ASC, id ASC";
