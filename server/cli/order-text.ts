/** Orders as a person reads them: a table for a list, a page for one order with its history. */
import type { MerchantOrder } from "../merchant/schemas.ts";
import { clean, fields, isoTime, money, NONE, table, truncate, when } from "./format.ts";

export function orderTable(orders: readonly MerchantOrder[]): string {
  return table(
    [{ title: "order" }, { title: "status" }, { title: "amount", align: "right" }, { title: "payment" }, { title: "customer" }, { title: "created" }],
    orders.map((order) => [
      order.id,
      order.status,
      money(order.amount, order.currency),
      `${order.payment} (${order.country})`,
      clean(order.customer),
      isoTime(order.created_at),
    ]),
  );
}

function metadataText(metadata: Record<string, string>): string {
  const entries = Object.entries(metadata);
  return entries.length === 0 ? NONE : truncate(entries.map(([key, value]) => `${key}=${value}`).join(", "), 200);
}

export function orderPage(order: MerchantOrder, now: number): string {
  const finalAmount = order.final_amount === null ? NONE : `${money(order.final_amount, order.currency)}${order.final_amount_differs ? "  (differs from the amount asked)" : ""}`;
  const head = `Order ${order.id}  ${order.status}`;
  const details = fields([
    ["merchant order id", order.merchant_order_id],
    ["session", clean(order.session_id)],
    ["amount", money(order.amount, order.currency)],
    ["final amount", finalAmount],
    ["floating amount", money(order.floating_amount, order.currency)],
    ["payment", `${order.payment} (${order.country})`],
    ["product", clean(order.product)],
    ["customer", clean(order.customer)],
    ["description", clean(order.description)],
    ["metadata", metadataText(order.metadata)],
    ["payment uid", clean(order.payment_uid)],
    ["fail reason", clean(order.payment_fail_reason)],
    ["created", when(order.created_at, now)],
    ["updated", when(order.updated_at, now)],
  ]);
  const history =
    order.history.length === 0
      ? "  (no status change yet)"
      : indent(table([{ title: "at" }, { title: "from" }, { title: "to" }, { title: "source" }], order.history.map((change) => [isoTime(change.at), change.from, change.to, change.source])));
  return `${head}\n${details}\n\nHistory\n${history}`;
}

export const indent = (text: string, by = "  ") => text.split("\n").map((line) => (line ? by + line : line)).join("\n");
