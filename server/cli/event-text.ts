/** Events as a person reads them: one row per delivery, so each endpoint's fate is on its own line. */
import type { MerchantEvent } from "../merchant/schemas.ts";
import { isoTime, table, truncate } from "./format.ts";

type Delivery = MerchantEvent["deliveries"][number];

function deliveryState(delivery: Delivery): string {
  // A retry's time is news; a first attempt is due at once.
  if (delivery.status === "pending" && delivery.next_attempt_at && delivery.attempts.length > 0) return `pending, next ${isoTime(delivery.next_attempt_at)}`;
  return delivery.status;
}

function lastAnswer(delivery: Delivery): string {
  const last = delivery.attempts.at(-1);
  if (!last) return "-";
  const what = last.status_code === null ? (last.error ?? "no answer") : `${last.status_code}${last.error ? ` ${last.error}` : ""}`;
  return `${truncate(what, 60)} (${last.duration_ms} ms, ${isoTime(last.at)})`;
}

export function eventTable(events: readonly MerchantEvent[], options: { withObject?: boolean } = {}): string {
  const withObject = options.withObject ?? true;
  const rows: string[][] = [];
  for (const event of events) {
    const head = [event.id, event.type, ...(withObject ? [event.object_id] : []), isoTime(event.created_at)];
    const blank = head.map(() => "");
    if (event.deliveries.length === 0) rows.push([...head, "-", "no endpoint subscribed", "", "-"]);
    event.deliveries.forEach((delivery, index) =>
      rows.push([...(index === 0 ? head : blank), delivery.endpoint, deliveryState(delivery), String(delivery.attempts.length), lastAnswer(delivery)]),
    );
  }
  return table(
    [
      { title: "event" },
      { title: "type" },
      ...(withObject ? [{ title: "object" }] : []),
      { title: "created" },
      { title: "endpoint" },
      { title: "delivery" },
      { title: "tries", align: "right" as const },
      { title: "last answer" },
    ],
    rows,
  );
}
