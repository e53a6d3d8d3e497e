/** `events list|redeliver`: the outbox, with each delivery attempt, and sending an event again. */
import { Option, type Command } from "commander";
import { EVENT_TYPES, type EventType } from "../merchant/schemas.ts";
import { merchantEventView } from "../merchant/views.ts";
import { isListItem } from "../merchant/cursor.ts";
import { storeLocation } from "../store/open-problem.ts";
import type { CliContext } from "./context.ts";
import { CliError } from "./errors.ts";
import { eventTable } from "./event-text.ts";
import { checkId, limitOption, withJson } from "./options.ts";

interface ListOptions {
  order?: string;
  type?: EventType;
  limit: number;
  startingAfter?: string;
  json?: boolean;
}

export function registerEvents(program: Command, context: CliContext): void {
  const events = program.command("events").description("list events and their webhook deliveries; send one again");

  withJson(
    events
      .command("list")
      .description("list events with their delivery attempts, newest first")
      .option("--order <id>", "only the events of this order (ck_…)")
      .addOption(new Option("--type <type>", "only events of this type").choices(EVENT_TYPES))
      .addOption(limitOption())
      .option("--starting-after <id>", "the next page: the last event id of the previous one"),
  ).action(async (options: ListOptions) => {
    if (options.order) checkId("order", options.order);
    if (options.startingAfter) checkId("event", options.startingAfter);
    const store = await context.store();
    if (options.startingAfter && !(await isListItem(store, "event", options.startingAfter))) throw new CliError(`no event ${options.startingAfter}: --starting-after takes the last event id of the previous page`);
    const page = await store.listEvents({ objectId: options.order, type: options.type, limit: options.limit, startingAfter: options.startingAfter });
    const data = await Promise.all(page.data.map(async (event) => merchantEventView(event, await store.deliveries(event.id))));
    if (options.json) return context.printJson({ data, has_more: page.hasMore });
    if (data.length === 0) return context.print(options.startingAfter ? "No more events." : "No events.");
    context.print(eventTable(data));
    if (page.hasMore) context.print(`\nMore: add --starting-after ${data.at(-1)!.id}`);
  });

  withJson(
    events
      .command("redeliver")
      .description("queue an event to be sent again (to every endpoint it went to, or to one)")
      .argument("<id>", "the event id (evt_…)")
      .option("--endpoint <name>", "only to this configured endpoint"),
  ).action(async (id: string, options: { endpoint?: string; json?: boolean }) => {
    checkId("event", id);
    const settings = context.settings();
    const configured = settings.webhooks.map((endpoint) => endpoint.name);
    if (options.endpoint !== undefined && !configured.includes(options.endpoint)) {
      throw new CliError(`--endpoint "${options.endpoint}" is not configured; configured: ${configured.join(", ") || "none"}`);
    }
    const store = await context.store();
    const event = await store.getEvent(id);
    if (!event) throw new CliError(`no event ${id} in the store (${storeLocation(settings)})`);
    const queued = await store.redeliver(id, { at: context.now(), ...(options.endpoint ? { endpoints: [options.endpoint] } : {}) });
    if (queued === 0) throw new CliError(`${id} went to no endpoint (none was subscribed when it was written): name one with --endpoint (${configured.join(", ") || "none configured"})`);
    const view = merchantEventView(event, await store.deliveries(id));
    const disabled = (await store.disabledEndpoints()).filter((entry) => settings.webhooks.some((endpoint) => endpoint.name === entry.name && endpoint.url === entry.url));
    for (const entry of disabled) {
      if (view.deliveries.some((delivery) => delivery.endpoint === entry.name)) context.warn(`note: endpoint "${entry.name}" is disabled (${entry.reason}); it gets nothing until its URL changes`);
    }
    if (options.json) return context.printJson(view);
    const to = options.endpoint ? [options.endpoint] : view.deliveries.map((delivery) => delivery.endpoint);
    context.print(`Queued ${id} (${event.type}) again for ${to.join(", ")}: the running server sends it within a few seconds (or as soon as it starts).\n`);
    context.print(eventTable([view]));
  });
}
