/** `orders list|show|refresh`: what the store holds, read as the merchant API shows it. */
import { Option, type Command } from "commander";
import { PaymentStatus } from "../gateway/schemas.ts";
import { merchantEventView, merchantOrderView } from "../merchant/views.ts";
import { isListItem } from "../merchant/cursor.ts";
import { storeLocation } from "../store/open-problem.ts";
import type { CliContext } from "./context.ts";
import { CliError } from "./errors.ts";
import { eventTable } from "./event-text.ts";
import { indent, orderPage, orderTable } from "./order-text.ts";
import { checkId, limitOption, withJson } from "./options.ts";

interface ListOptions {
  status?: PaymentStatus;
  customer?: string;
  session?: string;
  limit: number;
  startingAfter?: string;
  json?: boolean;
}

/** How many of an order's events `orders show` lists: enough for any order's life. */
const EVENTS_SHOWN = 50;

export function registerOrders(program: Command, context: CliContext): void {
  const orders = program.command("orders").description("list, show and refresh orders");

  withJson(
    orders
      .command("list")
      .description("list orders, newest first")
      .addOption(new Option("--status <status>", "only orders with this status").choices(PaymentStatus.options))
      .option("--customer <id>", "only this customer's orders")
      .option("--session <id>", "only the orders of this checkout session (cs_…)")
      .addOption(limitOption())
      .option("--starting-after <id>", "the next page: the last order id of the previous one"),
  ).action(async (options: ListOptions) => {
    if (options.startingAfter) checkId("order", options.startingAfter);
    const store = await context.store();
    if (options.startingAfter && !(await isListItem(store, "checkout", options.startingAfter))) throw new CliError(`no order ${options.startingAfter}: --starting-after takes the last order id of the previous page`);
    const page = await store.listOrders({ status: options.status, customer: options.customer, session: options.session, limit: options.limit, startingAfter: options.startingAfter });
    const data = await Promise.all(page.data.map(async (order) => merchantOrderView(order, await store.history(order.id))));
    if (options.json) return context.printJson({ data, has_more: page.hasMore });
    if (data.length === 0) return context.print(options.startingAfter ? "No more orders." : "No orders.");
    context.print(orderTable(data));
    if (page.hasMore) context.print(`\nMore: add --starting-after ${data.at(-1)!.id}`);
  });

  withJson(orders.command("show").description("show one order with its status history and events").argument("<id>", "the order id (ck_…)")).action(
    async (id: string, options: { json?: boolean }) => {
      checkId("order", id);
      const store = await context.store();
      const order = await store.get(id);
      if (!order) throw new CliError(`no order ${id} in the store (${storeLocation(context.settings())})`);
      const view = merchantOrderView(order, await store.history(id));
      if (options.json) return context.printJson(view);
      const events = await store.listEvents({ objectId: id, limit: EVENTS_SHOWN });
      // Oldest first, to read along with the history above.
      const eventViews = await Promise.all([...events.data].reverse().map(async (event) => merchantEventView(event, await store.deliveries(event.id))));
      context.print(orderPage(view, context.now()));
      context.print(`\nEvents\n${eventViews.length === 0 ? "  (none)" : indent(eventTable(eventViews, { withObject: false }))}`);
    },
  );

  withJson(orders.command("refresh").description("re-read an order from the gateway now").argument("<id>", "the order id (ck_…)")).action(
    async (id: string, options: { json?: boolean }) => {
      checkId("order", id);
      // Loaded on use: the gateway client and order service are for this command only.
      const { refreshOrder } = await import("./order-refresh.ts");
      const { before, order, via } = await refreshOrder(context, id);
      if (options.json) return context.printJson(order);
      const how = via === "server" ? "through the running server's sandbox" : "from the gateway";
      context.print(order.status === before ? `Read ${how}: still ${order.status}.\n` : `Read ${how}: ${before} → ${order.status}.\n`);
      context.print(orderPage(order, context.now()));
    },
  );
}
