/**
 * One table of the dialog's screen changes: which screen an order's status shows, and which
 * screen may follow which. The controller goes through `nextScreen`, so a change the table does
 * not list (a late answer about an abandoned order, say) cannot reach the shopper.
 */
import type { Screen } from "./view-model.ts";
import type { Status } from "./types.ts";

/**
 * How the design maps the gateway's statuses to what the shopper sees. Its keys are a copy of the
 * server's statuses, and its non-waiting screens of the server's final ones (server/gateway/schemas.ts),
 * kept equal by test/widget/server-rules.test.ts.
 */
export const SCREEN_OF_STATUS: Record<Status, Screen> = {
  none: "waiting",
  pending: "waiting",
  preparing: "waiting",
  processing: "waiting",
  completed: "paid",
  failed: "failed",
  reject: "failed",
  refund: "refunded",
  overdue: "expired",
};

/** A status this widget does not know yet is still open: keep waiting and asking. */
export const screenOf = (status: Status): Screen => (Object.hasOwn(SCREEN_OF_STATUS, status) ? SCREEN_OF_STATUS[status] : "waiting");

export const isFinal = (status: Status | undefined): boolean => !!status && screenOf(status) !== "waiting";

const RESULTS: Screen[] = ["waiting", "paid", "failed", "expired", "refunded"];

/** From each screen, the screens that may come next. */
export const TRANSITIONS: Record<Screen, readonly Screen[]> = {
  // The options, and the order being resumed or coming back from a redirect.
  loading: ["form", "resume", "error", "loading", "sessionPaid", "sessionExpired", ...RESULTS],
  form: ["creating", "form", "loading", "error"],
  // The order was made (or a replay found it over), or it was not (a session paid or expired meanwhile).
  creating: ["form", "error", "sessionPaid", "sessionExpired", ...RESULTS],
  waiting: ["form", "error", ...RESULTS],
  // Resuming: go on paying (the status may change meanwhile), or start again.
  resume: ["resume", "form", ...RESULTS],
  paid: ["paid", "refunded"],
  failed: ["form", "failed"],
  expired: ["form", "expired"],
  refunded: ["refunded"],
  error: ["form", "loading", "creating", "error"],
  // A session that cannot be paid any more: nothing to do but close.
  sessionPaid: ["sessionPaid"],
  sessionExpired: ["sessionExpired"],
};

/** `to` when the table allows it from `from`, else `from`. */
export const nextScreen = (from: Screen, to: Screen): Screen => (TRANSITIONS[from].includes(to) ? to : from);
