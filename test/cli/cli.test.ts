/**
 * The operator CLI as an operator runs it: the real bin (`node bin/octopus-checkout.mjs`) as a child
 * process, on a SQLite file seeded through the store API, with webhook receivers on 127.0.0.1 that
 * verify what they get with the `standardwebhooks` package. Each spawn starts tsx, so each test runs
 * its commands side by side and checks several things of each.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECKOUT_ID, newCheckoutId } from "../../server/ids.ts";
import { merchantEventView, merchantOrderView } from "../../server/merchant/views.ts";
import { readServerSettings } from "../../server/config.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import type { NewOrder, OrderRecord, OrderStore } from "../../server/store/types.ts";
import { newOrder } from "../support/orders.ts";
import { SAMPLE_DESCRIPTION } from "../../server/cli/test-event.ts";
import { startReceiver, TEST_WEBHOOK_SECRET, type Receiver } from "../support/webhook-receiver.ts";
import { createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/octopus-checkout.mjs");
const KEY = "sk_test_cli_0123456789abcdefghijklmnopqrstuvwxyz";

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let dir: string;
let file: string;
let receiver: Receiver;

/** The bin with a clean environment: only what the test gives (no OCTOPUS_* or DATABASE_URL of the shell). */
function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? dir, CHECKOUT_SQLITE_FILE: file, CHECKOUT_WEBHOOK_URL: receiver.url, CHECKOUT_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const json = <T = any>(run: Run): T => {
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
};

/** A failure as an operator must see it: exit 1, nothing on stdout, one line on stderr, no stack. */
function expectOneLineError(run: Run, pattern: RegExp): void {
  expect(run.code).toBe(1);
  expect(run.stdout).toBe("");
  expect(run.stderr.endsWith("\n")).toBe(true);
  expect(run.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(run.stderr).toMatch(/^octopus-checkout: /);
  expect(run.stderr).not.toMatch(/\bat .*\.(ts|js|mjs):\d+/);
  expect(run.stderr).toMatch(pattern);
}

/**
 * Columns line up: a left-aligned column's cells start where its title starts, a right-aligned one's
 * (title ending in ">") end where its title ends. Returns the rows under the header.
 */
function expectAligned(tableText: string, titles: string[]): string[] {
  const [header, ...rows] = tableText.split("\n");
  for (const [index, raw] of titles.entries()) {
    const right = raw.endsWith(">");
    const title = right ? raw.slice(0, -1) : raw;
    const start = header!.indexOf(title);
    expect(start, title).toBeGreaterThanOrEqual(0);
    const end = start + title.length;
    for (const row of rows) {
      if (right) {
        expect(row[end - 1], `${title} in ${row}`).not.toBe(" ");
        expect([" ", undefined], `${title} in ${row}`).toContain(row[end]);
      } else if (index > 0 && row.length > start) expect(row[start - 1], `${title} in ${row}`).toBe(" ");
    }
  }
  return rows;
}

const HOUR = 3_600_000;
const T = Date.now() - 5 * HOUR;


/** Inserts an order as the server would: the gateway accepts it (order.created), then its statuses. */
async function seedOrder(store: OrderStore, overrides: Partial<NewOrder>, statuses: [OrderRecord["status"], number][]): Promise<OrderRecord> {
  const { order } = await store.insert(newOrder({ amount: "250.00", product: null, returnUrl: null, createdAt: T, expiresAt: T + HOUR, ...overrides }));
  await store.setGatewayState(order.id, { gatewayState: "created", paymentUrl: "https://pay.example/x", at: order.createdAt + 1000 });
  for (const [status, at] of statuses) {
    await store.transition(order.id, { status, source: status === "pending" ? "create" : "notify", at, ...(status === "completed" ? { finalAmount: order.amount, paymentUid: "pu-77" } : {}) });
  }
  return (await store.get(order.id))!;
}

/** A webhook secret made by `keys new` in the first test: the webhooks test signs with it. */
let madeSecret: string;
let paid: OrderRecord;
let waiting: OrderRecord;
let failed: OrderRecord;

/** The store as the test reads it back, opened per use so the child processes see a settled file. */
async function withStore<T>(use: (store: OrderStore) => Promise<T>): Promise<T> {
  const store = createSqliteStore({ filename: file });
  await store.migrate();
  try {
    return await use(store);
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "octopus-cli-"));
  file = join(dir, "checkout.db");
  receiver = await startReceiver();
  await withStore(async (store) => {
    store.setSubscriptions([{ endpoint: "default", types: null }]);
    paid = await seedOrder(
      store,
      // A description with a terminal escape: shoppers' text must not drive an operator's terminal.
      { customer: "member-1", description: "Iced coffee \u001b[31mred", metadata: { cart_id: "c_1" }, createdAt: T },
      [
        ["pending", T + 2000],
        ["completed", T + 60_000],
      ],
    );
    waiting = await seedOrder(store, { customer: "member-2", amount: "1500.00", createdAt: T + HOUR }, [["pending", T + HOUR + 2000]]);
    failed = await seedOrder(store, { customer: "member-1", amount: "99.50", createdAt: T + 2 * HOUR }, [
      ["pending", T + 2 * HOUR + 2000],
      ["failed", T + 2 * HOUR + 9000],
    ]);
    // One delivery attempt of the paid order's events that the endpoint refused: retried later.
    const claims = await store.claimDeliveries({ now: Date.now(), limit: 10, leaseMs: 60_000, owner: "test", endpoints: ["default"] });
    const paidCreated = claims.find((claim) => claim.event.objectId === paid.id)!;
    await store.recordAttempt({ deliveryId: paidCreated.id, owner: "test", attempt: { at: Date.now(), statusCode: 500, error: null, durationMs: 12 }, outcome: "retry", nextAttemptAt: Date.now() + HOUR });
  });
}, 30_000);

afterAll(async () => {
  await receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

const orderViewOf = (order: OrderRecord) => withStore(async (store) => merchantOrderView((await store.get(order.id))!, await store.history(order.id)));

describe("octopus-checkout (the bin, as a child process)", () => {
  it("keys new prints a key and a webhook secret that the server accepts, says where each goes, and needs no valid settings", async () => {
    // Settings the server would refuse: making the secrets is how an operator fixes them.
    const broken = { OCTOPUS_API_KEY: "only-one-of-four" };
    const [text, asJson] = await Promise.all([cli(["keys", "new"], broken), cli(["keys", "new", "--json"], broken)]);
    expect(text.code).toBe(0);
    const lines = text.stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^# Merchant API key: .*CHECKOUT_SECRET_KEYS/);
    expect(lines[1]).toMatch(/^CHECKOUT_SECRET_KEYS=sk_live_[A-Za-z0-9_-]{32,}$/);
    expect(lines[2]).toMatch(/^# Webhook signing secret: .*CHECKOUT_WEBHOOK_SECRET/);
    expect(lines[3]).toMatch(/^CHECKOUT_WEBHOOK_SECRET=whsec_[A-Za-z0-9+/]+={0,2}$/);

    const { secret_key, webhook_secret } = json<{ secret_key: string; webhook_secret: string }>(asJson);
    expect(secret_key).toMatch(/^sk_[A-Za-z0-9_-]{32,}$/);
    expect(Buffer.from(webhook_secret.slice("whsec_".length), "base64")).toHaveLength(32);
    // Fresh each run.
    expect(text.stdout).not.toContain(secret_key);
    expect(text.stdout).not.toContain(webhook_secret);
    madeSecret = webhook_secret;
    const settings = readServerSettings({ CHECKOUT_SECRET_KEYS: secret_key, CHECKOUT_WEBHOOK_URL: "https://hooks.example.com/octopus", CHECKOUT_WEBHOOK_SECRET: webhook_secret }, { cwd: ROOT });
    expect(settings.ok).toBe(true);
  }, 120_000);

  it("orders list: an aligned table newest first, with filters and pages; --json is GET /api/v1/orders", async () => {
    const [table, completed, firstPage, member1] = await Promise.all([
      cli(["orders", "list"]),
      cli(["orders", "list", "--status", "completed", "--json"]),
      cli(["orders", "list", "--limit", "2"]),
      cli(["orders", "list", "--customer", "member-1", "--json"]),
    ]);
    expect(table.code).toBe(0);
    const rows = expectAligned(table.stdout.trimEnd(), ["ORDER", "STATUS", "AMOUNT>", "PAYMENT", "CUSTOMER", "CREATED"]);
    expect(rows.map((row) => row.split(/\s{2,}/).slice(0, 3))).toEqual([
      [failed.id, "failed", "99.50 PHP"],
      [waiting.id, "pending", "1500.00 PHP"],
      [paid.id, "completed", "250.00 PHP"],
    ]);
    expect(rows[2]).toContain(new Date(T).toISOString().slice(0, 19));

    expect(json(completed)).toEqual({ data: [await orderViewOf(paid)], has_more: false });
    expect(json(member1).data.map((order: { id: string }) => order.id)).toEqual([failed.id, paid.id]);

    expect(firstPage.stdout).toContain(`More: add --starting-after ${waiting.id}`);
    const secondPage = json(await cli(["orders", "list", "--limit", "2", "--starting-after", waiting.id, "--json"]));
    expect(secondPage).toMatchObject({ data: [{ id: paid.id }], has_more: false });
    // A typo in the cursor is said, not printed as the end of the list.
    const [typo, event] = await Promise.all([cli(["orders", "list", "--starting-after", newCheckoutId()]), cli(["events", "list", "--starting-after", `evt_${"A".repeat(22)}`])]);
    expectOneLineError(typo, /no order ck_\S+: --starting-after takes the last order id of the previous page/);
    expectOneLineError(event, /no event evt_A{22}: --starting-after/);
  }, 120_000);

  it("orders show: the order, its history and its events' deliveries; --json is GET /api/v1/orders/:id; unknown ids are one line", async () => {
    const unknown = newCheckoutId();
    const [page, asJson, missing, malformed] = await Promise.all([
      cli(["orders", "show", paid.id]),
      cli(["orders", "show", paid.id, "--json"]),
      cli(["orders", "show", unknown]),
      cli(["orders", "show", "12"]),
    ]);
    expect(page.code).toBe(0);
    const text = page.stdout;
    expect(text).toMatch(new RegExp(`^Order ${paid.id}  completed\n`));
    expect(text).toMatch(/final amount\s+250\.00 PHP\n/);
    expect(text).toMatch(/customer\s+member-1\n/);
    expect(text).toMatch(/metadata\s+cart_id=c_1\n/);
    expect(text).toMatch(/created\s+\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(5 h ago\)/);
    // The escape is shown, not obeyed.
    expect(text).not.toContain("\u001b");
    expect(text).toContain("Iced coffee ?[31mred");
    const history = text.slice(text.indexOf("History"), text.indexOf("Events"));
    expect(history).toMatch(/none\s+pending\s+create/);
    expect(history).toMatch(/pending\s+completed\s+notify/);
    const events = text.slice(text.indexOf("Events"));
    expect(events).toMatch(/order\.created\s+\S+\s+default\s+pending, next \S+\s+1\s+500 \(12 ms/);
    expect(events).toMatch(/order\.paid\s+\S+\s+default\s+pending\s+0\s+-/);

    expect(json(asJson)).toEqual(await orderViewOf(paid));
    expectOneLineError(missing, new RegExp(`no order ${unknown} in the store \\(SQLite .*checkout\\.db\\)`));
    expectOneLineError(malformed, /"12" is not an order id \(ck_ followed by 22 characters\)/);
  }, 120_000);

  it("events list shows each delivery; redeliver queues one again; --json is GET /api/v1/events", async () => {
    const all = await withStore(async (store) => (await store.listEvents({ objectId: paid.id, limit: 10 })).data);
    const paidEvent = all.find((event) => event.type === "order.paid")!;
    const createdEvent = all.find((event) => event.type === "order.created")!;

    const [table, asJson, onlyPaid, wrongEndpoint, unknownEvent] = await Promise.all([
      cli(["events", "list", "--order", paid.id]),
      cli(["events", "list", "--order", paid.id, "--json"]),
      cli(["events", "list", "--type", "order.paid", "--json"]),
      cli(["events", "redeliver", createdEvent.id, "--endpoint", "erp"]),
      cli(["events", "redeliver", "evt_0000000000000000000000"]),
    ]);
    const rows = expectAligned(table.stdout.trimEnd(), ["EVENT", "TYPE", "OBJECT", "CREATED", "ENDPOINT", "DELIVERY", "TRIES>", "LAST ANSWER"]);
    expect(rows.map((row) => row.split(/\s{2,}/).slice(0, 3))).toEqual([
      [paidEvent.id, "order.paid", paid.id],
      [createdEvent.id, "order.created", paid.id],
    ]);
    const expected = await withStore(async (store) => Promise.all(all.map(async (event) => merchantEventView(event, await store.deliveries(event.id)))));
    expect(json(asJson)).toEqual({ data: expected, has_more: false });
    expect(json(onlyPaid).data.map((event: { object_id: string }) => event.object_id)).toEqual([paid.id]);
    expectOneLineError(wrongEndpoint, /--endpoint "erp" is not configured; configured: default$/m);
    expectOneLineError(unknownEvent, /no event evt_0000000000000000000000 in the store/);

    // The refused delivery waits an hour; redeliver makes it due now, keeping its attempt.
    const before = Date.now();
    const redeliver = await cli(["events", "redeliver", createdEvent.id]);
    expect(redeliver.code).toBe(0);
    expect(redeliver.stdout).toContain(`Queued ${createdEvent.id} (order.created) again for default`);
    const [delivery] = await withStore((store) => store.deliveries(createdEvent.id));
    expect(delivery).toMatchObject({ endpoint: "default", status: "pending" });
    expect(delivery!.attempts).toHaveLength(1);
    expect(delivery!.nextAttemptAt).toBeGreaterThanOrEqual(before - 1000);
    expect(delivery!.nextAttemptAt).toBeLessThanOrEqual(Date.now());
  }, 120_000);

  it("webhooks test sends a signed event the receiver verifies with standardwebhooks, and prints what it answered", async () => {
    receiver.received.length = 0;
    const ok = await cli(["webhooks", "test"]);
    expect(ok.code).toBe(0);
    expect(receiver.received).toHaveLength(1);
    const ping = receiver.received[0]!;
    expect(ping).toMatchObject({ type: "webhook.test", verified: true, data: { object: "test" } });
    expect(ok.stdout).toContain(`Sent webhook.test ${ping.id}`);
    const rows = expectAligned(ok.stdout.slice(ok.stdout.indexOf("ENDPOINT")).trimEnd(), ["ENDPOINT", "URL", "RESULT", "ANSWER>", "TIME>", "ERROR"]);
    expect(rows[0]).toMatch(new RegExp(`^default\\s+${receiver.url}\\s+ok\\s+204\\s+\\d+ ms$`));

    // A sample order for a receiver's order.paid code, to a URL that is not configured, signed with
    // a secret from keys new.
    const webhook_secret = madeSecret;
    const other = await startReceiver(webhook_secret);
    try {
      const [sample, noSecret, unknownEndpoint] = await Promise.all([
        cli(["webhooks", "test", "--url", other.url, "--secret", webhook_secret, "--type", "order.paid", "--json"]),
        cli(["webhooks", "test", "--url", other.url]),
        cli(["webhooks", "test", "--endpoint", "erp"]),
      ]);
      const result = json(sample);
      expect(other.received).toHaveLength(1);
      const received = other.received[0]!;
      expect(received).toMatchObject({ type: "order.paid", verified: true, data: { object: "order", status: "completed", description: SAMPLE_DESCRIPTION, metadata: { octopus_checkout_test: "true" } } });
      expect(received.data.id).toMatch(CHECKOUT_ID);
      expect(result).toEqual({ type: "order.paid", event_id: received.id, results: [{ endpoint: "(--url)", url: other.url, ok: true, status_code: 204, duration_ms: expect.any(Number), error: null }] });
      expectOneLineError(noSecret, /--url needs --secret/);
      expectOneLineError(unknownEndpoint, /--endpoint "erp" is not configured; configured: default/);
    } finally {
      await other.close();
    }

    // An endpoint that fails: the answer is printed and the exit code says so.
    receiver.answer = () => ({ status: 503 });
    try {
      const failing = await cli(["webhooks", "test", "--endpoint", "default"]);
      expect(failing.code).toBe(1);
      expect(failing.stdout).toMatch(/default\s+\S+\s+FAILED\s+503\s+\d+ ms\s+not a 2xx answer/);
    } finally {
      receiver.answer = () => ({ status: 204 });
    }
  }, 120_000);

  describe("orders refresh", () => {
    let stack: Stack;
    let stackFile: string;
    beforeAll(async () => {
      stackFile = join(dir, "stack.db");
      stack = await startStack({ store: createSqliteStore({ filename: stackFile }), server: { secretKeys: [KEY], payouts: { php: { maxPerPayout: "5000.00", maxPerDay: "20000.00" } } } });
      // No notifications: only a refresh can learn that these orders were paid.
      stack.sandbox.controls.setNotifyFaults({ drop: 1 });
    }, 30_000);
    afterAll(async () => {
      await stack?.close();
    });

    async function paidAtGateway(): Promise<string> {
      const created = (await (await createCheckout(stack, gcash)).json()) as { id: string };
      const order = (await stack.store.get(created.id))!;
      stack.sandbox.controls.complete(order.merchantOrderId);
      return created.id;
    }

    it("reads from the gateway itself with a live gateway, and through the running server in sandbox mode", async () => {
      const [liveId, sandboxId] = [await paidAtGateway(), await paidAtGateway()];
      const live = { CHECKOUT_SQLITE_FILE: stackFile, OCTOPUS_API_URL: stack.gatewayServed.url, OCTOPUS_API_KEY: "sandbox-key", OCTOPUS_API_SECRET: "sandbox-secret", OCTOPUS_MERCHANT_UID: "sandbox-merchant", CHECKOUT_WEBHOOK_URL: "", CHECKOUT_WEBHOOK_SECRET: "" };
      const sandbox = { CHECKOUT_PUBLIC_URL: stack.url, CHECKOUT_SECRET_KEYS: KEY };
      const [fromGateway, throughServer, noServer] = await Promise.all([
        cli(["orders", "refresh", liveId], live),
        cli(["orders", "refresh", sandboxId, "--json"], sandbox),
        cli(["orders", "refresh", sandboxId], { CHECKOUT_PUBLIC_URL: "http://127.0.0.1:9", CHECKOUT_SECRET_KEYS: KEY }),
      ]);
      expect(fromGateway.code).toBe(0);
      expect(fromGateway.stdout).toMatch(new RegExp(`^Read from the gateway: pending → completed\\.\n\nOrder ${liveId}  completed`));
      expect(fromGateway.stdout).toMatch(/pending\s+completed\s+refresh/);
      // The change went through the store like the server's own: with its event, in the outbox.
      const events = await stack.store.listEvents({ objectId: liveId, limit: 10 });
      expect(events.data.map((event) => event.type)).toEqual(["order.paid", "order.created"]);

      expect(json(throughServer)).toMatchObject({ id: sandboxId, object: "order", status: "completed", history: [{ to: "pending" }, { from: "pending", to: "completed", source: "refresh" }] });
      expectOneLineError(noServer, /no server answers at http:\/\/127\.0\.0\.1:9 .*npm start/);
    }, 120_000);

    it("payouts create asks first (refusing without a terminal), sends through the server with --yes; list and show read the store", async () => {
      const env = { CHECKOUT_SQLITE_FILE: stackFile, CHECKOUT_PUBLIC_URL: stack.url, CHECKOUT_SECRET_KEYS: KEY };
      const args = ["payouts", "create", "--amount", "1500.00", "--currency", "php", "--country", "PH", "--payment", "gcash", "--to", "09171234567", "--to-name", "Juan Dela Cruz"];
      const [unconfirmed, sent, tooMuch] = await Promise.all([cli(args, env), cli([...args, "--yes", "--json", "--idempotency-key", "cli-payout-0001"], env), cli([...args.slice(0, 3), "9000.00", ...args.slice(4), "--yes"], env)]);
      expectOneLineError(unconfirmed, /--yes/);
      // The question shows the amount as it will be sent, and one the server would refuse is refused before it is asked.
      const [whole, malformed] = await Promise.all([cli([...args.slice(0, 3), "1500", ...args.slice(4)], env), cli([...args.slice(0, 3), "15.505", ...args.slice(4)], env)]);
      expectOneLineError(whole, /Send 1500\.00 PHP to Juan Dela Cruz .*--yes/);
      expectOneLineError(malformed, /^octopus-checkout: --amount "15\.505" has more decimals than php allows/);
      const payout = json<{ id: string; status: string; to: string; requested_by: string }>(sent);
      expect(payout).toMatchObject({ to: "*******4567", requested_by: `sk_…${KEY.slice(-4)}` });
      expectOneLineError(tooMuch, /answered 400: "amount" must be at most 5000\.00 PHP per payout/);
      expect(stack.sandbox.controls.listOrders().filter((order) => order.transaction_type === "expense")).toHaveLength(1);

      const [list, show, wrongId] = await Promise.all([cli(["payouts", "list"], env), cli(["payouts", "show", payout.id], env), cli(["payouts", "show", "ck_notapayout"], env)]);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain(payout.id);
      expect(list.stdout).toMatch(/1,?500\.00 PHP/);
      expect(list.stdout).not.toContain("09171234567");
      expect(show.stdout).toMatch(new RegExp(`^Payout ${payout.id}`));
      expect(show.stdout).toContain("Juan Dela Cruz, account *******4567");
      expectOneLineError(wrongId, /is not a payout id \(po_/);
    }, 120_000);
  });

  it("fails with one line and exit 1: bad settings, an unreachable database, a missing store, a wrong command", async () => {
    const [badSettings, noDatabase, noFile, unknownCommand, badOption] = await Promise.all([
      cli(["orders", "list"], { OCTOPUS_API_KEY: "only-one-of-four", CHECKOUT_PUBLIC_URL: "ftp://x" }),
      cli(["events", "list"], { DATABASE_URL: "postgres://operator:hunter2secret@127.0.0.1:9/checkout" }),
      cli(["orders", "list"], { CHECKOUT_SQLITE_FILE: join(dir, "typo.db") }),
      cli(["order", "list"]),
      cli(["orders", "list", "--limit", "500"]),
    ]);
    expectOneLineError(badSettings, /the server's settings are not valid: OCTOPUS_API_URL is missing.*; CHECKOUT_PUBLIC_URL must be an absolute http\(s\) URL/);
    expectOneLineError(noDatabase, /cannot open the store \(PostgreSQL at 127\.0\.0\.1:9\/checkout\): .*ECONNREFUSED/);
    expect(noDatabase.stderr).not.toContain("hunter2secret");
    expectOneLineError(noFile, /no store at .*typo\.db: start the server once/);
    expectOneLineError(unknownCommand, /unknown command 'order' \(Did you mean orders\?\)/);
    expectOneLineError(badOption, /--limit <n>' argument '500' is invalid\. It must be a whole number from 1 to 100\./);
  }, 120_000);
});
