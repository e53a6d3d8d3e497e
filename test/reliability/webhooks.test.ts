/**
 * Webhooks when things go wrong, against a merchant endpoint on 127.0.0.1 that verifies every
 * delivery: every event in the store reaches it (none lost), one order's events in order, and a
 * delivery arrives twice only with the same webhook-id and only when its sender died holding it.
 *
 *  1. The endpoint fails half the time, then is down for a day, then back: the dispatcher runs on a
 *     fake clock (each step one minute), so two days of the retry schedule pass in seconds while
 *     every attempt is real HTTP.
 *  2. The real server (`server/main.ts`, a child process, SQLite file) is killed with SIGKILL while
 *     a slow endpoint holds deliveries, then started again on the same file.
 *  3. Two real servers on one PostgreSQL database share the outbox; one is killed mid-delivery and
 *     the other takes over its leases. Needs DATABASE_URL.
 *
 * Servers run with CHECKOUT_WEBHOOK_LEASE_SECONDS=20 (the least allowed), so a dead server's claims
 * come back in 20 s rather than the default 60.
 */
import Database from "better-sqlite3";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../server/log.ts";
import { createPostgresStore } from "../../server/store/postgres.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import type { EventRecord, OrderStore } from "../../server/store/types.ts";
import { createWebhookDispatcher } from "../../server/webhooks/dispatcher.ts";
import { TEST_WEBHOOK_SECRET } from "../support/webhook-receiver.ts";
import { seededRandom } from "../support/stack.ts";
import { newOrder, T } from "../support/orders.ts";
import { pool, printFigures } from "../support/load.ts";
import { allDelivered, allEvents, payOne, startEndpoint, tally, tallyFigures, type Receipt, type Tally } from "./webhook-support.ts";
import { freePort, type ServerProcess, startServerProcess } from "../support/server-process.ts";
import { until } from "../support/time.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const LEASE_SECONDS = 20;

/** The same event never under two webhook-ids: for each (order, type) the ids the endpoint saw. */
function idsPerEvent(receipts: readonly Receipt[]): number {
  const ids = new Map<string, Set<string>>();
  for (const receipt of receipts) {
    const key = `${receipt.orderId} ${receipt.type}`;
    (ids.get(key) ?? ids.set(key, new Set()).get(key)!).add(receipt.id);
  }
  return Math.max(0, ...[...ids.values()].map((set) => set.size));
}

function expectClean(result: Tally): void {
  expect(result.lost, "events never accepted").toEqual([]);
  expect(result.outOfOrder, "accepted after a newer event of the same order").toBe(0);
  expect(result.aheadOfOlder, "sent ahead of an older event of the same order").toBe(0);
  expect(result.unknown, "webhook-ids that are no event").toBe(0);
  expect(result.unverified, "failed signature checks").toBe(0);
}

describe("webhooks: an endpoint failing half the time, then down for a day (dispatcher on a fake clock)", () => {
  it("delivers every event, per order in order, none lost, none twice", async () => {
    const ORDERS = 150;
    const FLAKY_MS = 2 * HOUR;
    const DOWN_MS = 24 * HOUR;
    // The dispatcher signs with its fake clock's time: the signature is checked, its age is not.
    const endpoint = await startEndpoint(TEST_WEBHOOK_SECRET, { realClock: false });
    const store = createSqliteStore({ filename: ":memory:", subscriptions: [{ endpoint: "shop", types: null }] });
    await store.migrate();
    let clock = T;
    const downAt = T + FLAKY_MS;
    const upAt = downAt + DOWN_MS;
    const coin = seededRandom(11);
    endpoint.behave = () => (clock < downAt ? (coin() < 0.5 ? "refuse" : "accept") : clock < upAt ? "drop" : "accept");
    const logs: string[] = [];
    const dispatcher = createWebhookDispatcher({
      store,
      endpoints: [{ name: "shop", url: endpoint.url, secret: TEST_WEBHOOK_SECRET, types: null }],
      logger: createLogger({ level: "warn", write: (line) => logs.push(line) }),
      send: { allowPrivate: true, sandbox: false, timeoutMs: 5_000 },
      now: () => clock,
      random: seededRandom(23),
    });
    const ids: string[] = [];
    /** Step s: order s is taken by the gateway, order s-2 goes to processing, order s-4 is paid (every fifth fails). */
    async function write(step: number): Promise<void> {
      if (step < ORDERS) {
        const { order } = await store.insert(newOrder({ createdAt: clock }));
        await store.setGatewayState(order.id, { gatewayState: "created", at: clock });
        ids.push(order.id);
      }
      const processing = ids[step - 2];
      if (processing && step - 2 < ORDERS) expect(await store.transition(processing, { status: "processing", source: "notify", at: clock })).not.toBeNull();
      const final = ids[step - 4];
      if (final && step - 4 < ORDERS) expect(await store.transition(final, { status: (step - 4) % 5 === 0 ? "failed" : "completed", source: "notify", at: clock })).not.toBeNull();
    }
    const started = performance.now();
    let step = 0;
    let downEvents = 0;
    for (; clock < upAt + 4 * 24 * HOUR; step++, clock += MINUTE) {
      if (step < ORDERS + 4) {
        const before = (await allEvents(store)).length;
        await write(step);
        if (clock >= downAt && clock < upAt) downEvents += (await allEvents(store)).length - before;
      }
      // Everything due now: an order's next event is claimable as soon as its previous one is done.
      for (let round = 0; round < 50 && (await dispatcher.runOnce()).claimed > 0; round++);
      if (clock >= upAt && step % 30 === 0 && (await allDelivered(store, await allEvents(store)))) break;
    }
    const seconds = (performance.now() - started) / 1000;
    const events = await allEvents(store);
    const result = tally(events, endpoint.receipts);
    const attempts = await Promise.all(events.map(async (event) => (await store.deliveries(event.id))[0]!.attempts.length));
    printFigures("webhooks: endpoint failing 50% for 2 h, then down (connections dropped) for 24 h, then up; fake clock in 1-minute steps", {
      ...tallyFigures(result),
      orders: ORDERS,
      "events written while it was down": downEvents,
      "attempts per event": `max ${Math.max(...attempts)}, mean ${(attempts.reduce((sum, n) => sum + n, 0) / attempts.length).toFixed(2)} (the schedule allows 11)`,
      "fake time until all delivered": `${((clock - T) / HOUR).toFixed(1)} h`,
      "real time": `${seconds.toFixed(1)} s`,
    });
    expect(events).toHaveLength(ORDERS * 3);
    expect(await allDelivered(store, events)).toBe(true);
    expectClean(result);
    // No process died here: every accepted delivery was recorded, so none came twice.
    expect(result.duplicates.size).toBe(0);
    // The endpoint did fail in both ways, and events were written while it was down.
    expect(result.refused).toBeGreaterThan(50);
    expect(result.dropped).toBeGreaterThan(50);
    expect(downEvents).toBeGreaterThan(0);
    expect(logs.filter((line) => line.includes("failed for good"))).toEqual([]);
    await store.close();
    await endpoint.close();
  });
});

describe("webhooks: the server killed (SIGKILL) mid-delivery, restarted on the same SQLite file", () => {
  it("delivers every event after the restart, duplicates only of deliveries in flight at the kill, same webhook-id", async () => {
    // The server allows 30 checkouts a minute from one address (its default rate limit).
    const ORDERS = 28;
    const dir = mkdtempSync(join(tmpdir(), "octopus-reliability-hooks-"));
    const file = join(dir, "checkout.db");
    const endpoint = await startEndpoint(TEST_WEBHOOK_SECRET);
    // Slow: each delivery held 2 s, so deliveries are still queued and in flight when the kill comes.
    endpoint.delayMs = 2_000;
    const env = { CHECKOUT_SQLITE_FILE: file, CHECKOUT_WEBHOOK_URL: endpoint.url, CHECKOUT_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, CHECKOUT_WEBHOOK_LEASE_SECONDS: String(LEASE_SECONDS) };
    const port = await freePort();
    let server: ServerProcess | null = await startServerProcess(port, env);
    const reader = createSqliteStore({ filename: file });
    try {
      const orderIds = await pool(Array.from({ length: ORDERS }, (_, index) => index), 10, (index) => payOne(server!, index));
      // Every payment's notification handled (order.paid written) before the kill.
      await until(async () => (await allEvents(reader)).filter((event) => event.type === "order.paid").length === ORDERS, { what: "every order.paid in the store", timeoutMs: 30_000 });
      await until(() => endpoint.inFlight() > 0, { what: "a delivery in flight", timeoutMs: 20_000, everyMs: 5 });
      const killedAt = Date.now();
      await server.kill();
      server = null;
      const inFlight = endpoint.inFlight();
      const receivedBefore = endpoint.receipts.length;
      const raw = new Database(file, { readonly: true });
      const leased = new Set((raw.prepare("SELECT event_id FROM deliveries WHERE status = 'pending' AND lease_until > ?").all(Date.now()) as { event_id: string }[]).map((row) => row.event_id));
      raw.close();

      const restartedAt = Date.now();
      server = await startServerProcess(port, env);
      let events: EventRecord[] = [];
      await until(async () => allDelivered(reader, (events = await allEvents(reader))), { what: "every event delivered after the restart", timeoutMs: 90_000, everyMs: 250 });
      const doneAt = Date.now();
      await server.stop();
      server = null;

      const result = tally(events, endpoint.receipts);
      printFigures(`webhooks: server killed with SIGKILL mid-delivery (${ORDERS} orders paid, endpoint holding each delivery 2 s), restarted on the same SQLite file, lease ${LEASE_SECONDS} s`, {
        ...tallyFigures(result),
        "requests before the kill": `${receivedBefore}, of which ${inFlight} in flight (unanswered) at the kill`,
        "deliveries leased by the dead server": leased.size,
        "restart → all delivered": `${((doneAt - restartedAt) / 1000).toFixed(1)} s (the dead server's leases run ${LEASE_SECONDS} s)`,
      });
      for (const id of orderIds) expect(events.filter((event) => event.objectId === id).map((event) => event.type)).toEqual(expect.arrayContaining(["order.created", "order.paid"]));
      expectClean(result);
      expect(idsPerEvent(endpoint.receipts)).toBe(1);
      expect(inFlight).toBeGreaterThan(0);
      expect(leased.size).toBeGreaterThan(0);
      expect(endpoint.receipts.some((receipt) => receipt.receivedAt > restartedAt)).toBe(true);
      // A duplicate is a delivery the dead server held: sent before the kill, not recorded.
      for (const id of result.duplicates.keys()) {
        expect(leased.has(id)).toBe(true);
        expect(endpoint.receipts.find((receipt) => receipt.id === id)!.receivedAt).toBeLessThanOrEqual(killedAt);
      }
    } finally {
      await server?.kill();
      await reader.close();
      await endpoint.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) console.warn("webhooks on two servers sharing PostgreSQL: skipped, DATABASE_URL is not set");

describe.skipIf(!databaseUrl)("webhooks: two servers on one PostgreSQL, one killed mid-delivery", () => {
  it("delivers every event, per order in order, duplicates only from the killed server's leases", async () => {
    // Every checkout comes from 127.0.0.1, and the create limit is shared by the two servers.
    const ORDERS = 56;
    const name = `reliability_hooks_${process.pid}`;
    const admin = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
    const url = new URL(databaseUrl!);
    url.pathname = `/${name}`;
    const endpoint = await startEndpoint(TEST_WEBHOOK_SECRET);
    endpoint.delayMs = 2_000;
    const env = { DATABASE_URL: url.href, CHECKOUT_WEBHOOK_URL: endpoint.url, CHECKOUT_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, CHECKOUT_WEBHOOK_LEASE_SECONDS: String(LEASE_SECONDS), CHECKOUT_CREATE_RATE_LIMIT: String(ORDERS) };
    const servers: ServerProcess[] = [];
    let reader: OrderStore | null = null;
    const sql = postgres(url.href, { max: 1, onnotice: () => {} });
    try {
      // One after the other: the second finds the schema migrated.
      servers.push(await startServerProcess(await freePort(), env));
      servers.push(await startServerProcess(await freePort(), env));
      const [a, b] = servers as [ServerProcess, ServerProcess];
      reader = createPostgresStore({ url: url.href, max: 2 });
      const store = reader;
      const orderIds = await pool(Array.from({ length: ORDERS }, (_, index) => index), 10, (index) => payOne(index % 2 === 0 ? a : b, index));
      await until(async () => (await allEvents(store)).filter((event) => event.type === "order.paid").length === ORDERS, { what: "every order.paid in the store", timeoutMs: 30_000 });
      const leases = async () => (await sql`SELECT event_id, lease_owner FROM deliveries WHERE status = 'pending' AND lease_until > ${Date.now()}`) as unknown as { event_id: string; lease_owner: string }[];
      // Kill when both instances hold deliveries, so that the killed one surely had some.
      await until(async () => new Set((await leases()).map((row) => row.lease_owner)).size === 2, { what: "both instances holding deliveries", timeoutMs: 20_000, everyMs: 5 });
      const killedAt = Date.now();
      await a.kill();
      const held = await leases();
      const leased = new Set(held.map((row) => row.event_id));
      const receivedBefore = endpoint.receipts.filter((receipt) => receipt.receivedAt <= killedAt);

      const afterKill = Date.now();
      let events: EventRecord[] = [];
      await until(async () => allDelivered(store, (events = await allEvents(store))), { what: "every event delivered by the survivor", timeoutMs: 90_000, everyMs: 250 });
      const doneAt = Date.now();
      const result = tally(events, endpoint.receipts);
      const owners = new Map<string, number>();
      for (const row of held) owners.set(row.lease_owner, (owners.get(row.lease_owner) ?? 0) + 1);
      printFigures(`webhooks: two servers on one PostgreSQL (${ORDERS} orders paid, half on each), endpoint holding each delivery 2 s, one killed with SIGKILL, lease ${LEASE_SECONDS} s`, {
        ...tallyFigures(result),
        "requests before the kill": receivedBefore.length,
        "leases held at the kill": `${held.length} (by instance: ${[...owners.values()].join(" and ")}; the survivor's finish normally)`,
        "kill → all delivered by the survivor": `${((doneAt - afterKill) / 1000).toFixed(1)} s`,
      });
      for (const id of orderIds) expect(events.filter((event) => event.objectId === id).map((event) => event.type)).toEqual(expect.arrayContaining(["order.created", "order.paid"]));
      expectClean(result);
      expect(idsPerEvent(endpoint.receipts)).toBe(1);
      // While both lived, their leases kept each delivery to one sender.
      expect(new Set(receivedBefore.map((receipt) => receipt.id)).size).toBe(receivedBefore.length);
      for (const id of result.duplicates.keys()) {
        expect(leased.has(id)).toBe(true);
        expect(endpoint.receipts.find((receipt) => receipt.id === id)!.receivedAt).toBeLessThanOrEqual(killedAt);
      }
    } finally {
      for (const server of servers) await server.kill();
      await reader?.close();
      await sql.end({ timeout: 5 });
      await endpoint.close();
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
      await admin.end({ timeout: 5 });
    }
  });
});
