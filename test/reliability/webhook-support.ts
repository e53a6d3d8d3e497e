/**
 * Pieces of the webhook reliability suite: a merchant endpoint on 127.0.0.1 that verifies every
 * delivery (standardwebhooks) and can refuse, drop the connection or answer slowly; paying an order
 * on a server process (test/support/server-process.ts); and the tally that says whether every
 * event arrived, per order in order, and which arrived twice.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import type { EventRecord, OrderStore } from "../../server/store/types.ts";
import type { ServerProcess } from "../support/server-process.ts";


export type Behaviour = "accept" | "refuse" | "drop";

export interface Receipt {
  /** webhook-id: the event id. */
  id: string;
  type: string;
  orderId: string;
  verified: boolean;
  receivedAt: number;
  /** What the endpoint did; "accept" is a 2xx answer, "refuse" a 500, "drop" a closed connection. */
  outcome: Behaviour;
  /** When the answer left (null while the slow endpoint is still holding it). */
  answeredAt: number | null;
}

export interface Endpoint {
  url: string;
  receipts: Receipt[];
  /** Decides each delivery's fate; default: accept. */
  behave: (receipt: Receipt) => Behaviour;
  /** How long to hold each delivery before answering. */
  delayMs: number;
  inFlight(): number;
  close(): Promise<void>;
}

/**
 * `realClock: false` for a sender on a fake clock: the signature is still checked (the package's
 * own `sign` over the same id, timestamp and body), but not the timestamp's 5-minute tolerance.
 */
export async function startEndpoint(secret: string, { realClock = true }: { realClock?: boolean } = {}): Promise<Endpoint> {
  const verifier = new Webhook(secret);
  const endpoint = { receipts: [] as Receipt[], behave: (() => "accept") as Endpoint["behave"], delayMs: 0 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const headers = { "webhook-id": String(request.headers["webhook-id"] ?? ""), "webhook-timestamp": String(request.headers["webhook-timestamp"] ?? ""), "webhook-signature": String(request.headers["webhook-signature"] ?? "") };
      let verified = true;
      let payload: { type: string; data: { id: string } };
      try {
        if (realClock) payload = verifier.verify(body, headers) as typeof payload;
        else {
          const expected = verifier.sign(headers["webhook-id"], new Date(Number(headers["webhook-timestamp"]) * 1000), body);
          if (!headers["webhook-signature"].split(" ").includes(expected)) throw new Error("bad signature");
          payload = JSON.parse(body) as typeof payload;
        }
      } catch {
        verified = false;
        payload = JSON.parse(body) as typeof payload;
      }
      const receipt: Receipt = { id: headers["webhook-id"], type: payload.type, orderId: payload.data.id, verified, receivedAt: Date.now(), outcome: "accept", answeredAt: null };
      receipt.outcome = endpoint.behave(receipt);
      endpoint.receipts.push(receipt);
      const answer = () => {
        receipt.answeredAt = Date.now();
        if (receipt.outcome === "drop") request.socket.destroy();
        else response.writeHead(receipt.outcome === "accept" ? 204 : 500).end();
      };
      if (endpoint.delayMs > 0) setTimeout(answer, endpoint.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return Object.assign(endpoint, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    inFlight: () => endpoint.receipts.filter((receipt) => receipt.answeredAt === null).length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}

/** Every event the store holds, oldest first. */
export async function allEvents(store: OrderStore): Promise<EventRecord[]> {
  const events: EventRecord[] = [];
  let startingAfter: string | undefined;
  for (;;) {
    const page = await store.listEvents({ limit: 100, startingAfter });
    events.push(...page.data);
    if (!page.hasMore || page.data.length === 0) break;
    startingAfter = page.data.at(-1)!.id;
  }
  return events.sort((a, b) => a.seq - b.seq);
}

/** True when every event's every delivery is delivered (none pending, none failed). */
export async function allDelivered(store: OrderStore, events: readonly EventRecord[]): Promise<boolean> {
  for (const event of events) {
    const deliveries = await store.deliveries(event.id);
    if (deliveries.length === 0 || deliveries.some((delivery) => delivery.status !== "delivered")) return false;
  }
  return true;
}

export interface Tally {
  events: number;
  /** Requests the endpoint received, and what it did with them. */
  requests: number;
  accepted: number;
  refused: number;
  dropped: number;
  /** Events never accepted. */
  lost: string[];
  /** Accepted more than once, by webhook-id: id → times accepted. */
  duplicates: Map<string, number>;
  /** Accepted requests of an event older than one already accepted for the same order. */
  outOfOrder: number;
  /** Requests for an event while an older event of the same order was not yet accepted. */
  aheadOfOlder: number;
  /** Requests whose webhook-id is no event in the store, or whose type/order differ from it. */
  unknown: number;
  unverified: number;
}

/** What the endpoint saw against what the store holds. */
export function tally(events: readonly EventRecord[], receipts: readonly Receipt[]): Tally {
  const byId = new Map(events.map((event) => [event.id, event]));
  const acceptedCount = new Map<string, number>();
  const newestAccepted = new Map<string, number>();
  const acceptedIds = new Set<string>();
  const result: Tally = { events: events.length, requests: receipts.length, accepted: 0, refused: 0, dropped: 0, lost: [], duplicates: new Map(), outOfOrder: 0, aheadOfOlder: 0, unknown: 0, unverified: 0 };
  const ordered = [...receipts].sort((a, b) => a.receivedAt - b.receivedAt);
  for (const receipt of ordered) {
    if (!receipt.verified) result.unverified++;
    const event = byId.get(receipt.id);
    if (!event || event.type !== receipt.type || event.objectId !== receipt.orderId) {
      result.unknown++;
      continue;
    }
    // Any older event of this order not yet accepted at this moment?
    const older = events.filter((other) => other.objectId === event.objectId && other.seq < event.seq);
    if (older.some((other) => !acceptedIds.has(other.id))) result.aheadOfOlder++;
    if (receipt.outcome === "refuse") result.refused++;
    if (receipt.outcome === "drop") result.dropped++;
    if (receipt.outcome !== "accept") continue;
    result.accepted++;
    const newest = newestAccepted.get(event.objectId) ?? -1;
    if (event.seq < newest) result.outOfOrder++;
    newestAccepted.set(event.objectId, Math.max(newest, event.seq));
    acceptedIds.add(event.id);
    acceptedCount.set(event.id, (acceptedCount.get(event.id) ?? 0) + 1);
  }
  for (const event of events) if (!acceptedIds.has(event.id)) result.lost.push(event.id);
  for (const [id, count] of acceptedCount) if (count > 1) result.duplicates.set(id, count);
  return result;
}

export function tallyFigures(result: Tally): Record<string, string | number> {
  const extra = [...result.duplicates.values()].reduce((sum, count) => sum + count - 1, 0);
  return {
    events: result.events,
    "requests received": `${result.requests} (accepted ${result.accepted}, refused with 500 ${result.refused}, connection dropped ${result.dropped})`,
    "events never accepted (lost)": result.lost.length,
    "duplicates by webhook-id": `${result.duplicates.size} events accepted twice or more (${extra} extra requests)`,
    "max out-of-order": `${result.outOfOrder} accepted after a newer event of the same order; ${result.aheadOfOlder} sent while an older event of the order was not yet accepted`,
    "unknown or mismatched webhook-ids": result.unknown,
    "failed signature checks": result.unverified,
  };
}

/** Creates a checkout on a server process and pays it on the sandbox's payment page; the order id. */
export async function payOne(server: ServerProcess, index: number): Promise<string> {
  const created = await fetch(`${server.url}/api/checkout`, {
    method: "POST",
    // The server's own origin is always allowed: the demo shop's page calls it so.
    headers: { "Content-Type": "application/json", Origin: server.url, "Idempotency-Key": `reliability-hooks-${index}` },
    body: JSON.stringify({ amount: `${100 + index}.00`, currency: "php", country: "PH", payment: "gcash" }),
  });
  const view = (await created.json()) as { id: string; payment_url: string | null };
  if (created.status !== 201 || !view.payment_url) throw new Error(`POST /api/checkout answered ${created.status}: ${JSON.stringify(view)}`);
  await (await fetch(view.payment_url)).text();
  const paid = await fetch(view.payment_url, { method: "POST", body: new URLSearchParams({ action: "pay" }), redirect: "manual", headers: { "Content-Type": "application/x-www-form-urlencoded" } });
  await paid.text();
  if (paid.status >= 400) throw new Error(`the payment page answered ${paid.status}`);
  return view.id;
}
