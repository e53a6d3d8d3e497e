/**
 * The sandbox has unauthenticated control routes and payment pages whose URL is their only key:
 * it answers only its own host names (DNS rebinding), mounted in the server it takes only the
 * server's own notify_url and redirect_url, its payment page refuses posts from other sites, and its
 * expiry check does not scan every open order.
 */
import { spawn } from "node:child_process";
import { request as httpRequest } from "node:http";
import { fileURLToPath } from "node:url";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDueQueue } from "../../demo/sandbox/due-queue.ts";
import { createSandboxGateway } from "../../demo/sandbox/gateway.ts";
import { createLifecycle, DEFAULT_PAYOUT_SETTINGS } from "../../demo/sandbox/lifecycle.ts";
import { createMerchantRegistry, DEFAULT_MERCHANT } from "../../demo/sandbox/merchants.ts";
import { createMethodCatalog, DEFAULT_METHODS } from "../../demo/sandbox/methods.ts";
import { buildOrder } from "../../demo/sandbox/new-order.ts";
import type { Notifier } from "../../demo/sandbox/notifier.ts";
import { createOrderBook, type SandboxOrder } from "../../demo/sandbox/order-book.ts";
import { checkNewOrder } from "../../demo/sandbox/order-rules.ts";
import { serve, type Served } from "../support/serve.ts";
import { call, createOrder, getOrder, incomeFields, startSandbox, uniqueId, type Running } from "../support/sandbox.ts";
import { freePort } from "../support/server-process.ts";

interface RawAnswer {
  status: number;
  text: string;
}

/** A request with a Host header of our choosing (fetch does not let one set it), to 127.0.0.1. */
function raw(url: string, host: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { hostname: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: init.method ?? "GET", headers: { ...init.headers, Host: host } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on("error", reject);
    req.end(init.body);
  });
}

const SANDBOX_PATHS = ["/sandbox/api/state", "/octopus/pay/no-such-token", "/octopus/pay/assets/page.css"];

describe("Host guard (DNS rebinding)", () => {
  let running: Running;
  beforeAll(async () => {
    running = await startSandbox();
  });
  afterAll(() => running.stop());

  it("refuses a name that is not loopback with 421, on every sandbox route, and does nothing", async () => {
    const port = new URL(running.url).port;
    for (const path of SANDBOX_PATHS) {
      const answer = await raw(`${running.url}${path}`, `rebound.attacker.example:${port}`);
      expect(answer.status).toBe(421);
      expect(JSON.parse(answer.text)).toEqual({ error: "Misdirected request", details: "This sandbox answers only requests for 127.0.0.1, localhost, [::1]." });
    }
    const api = await raw(`${running.url}/octopus/api/order/new`, `rebound.attacker.example:${port}`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(incomeFields()),
    });
    expect(api.status).toBe(421);
    expect(JSON.parse(api.text)).toMatchObject({ result: "error", data: { error: "Misdirected request" } });
    const reset = await raw(`${running.url}/sandbox/api/reset`, `rebound.attacker.example:${port}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    expect(reset.status).toBe(421);
  });

  it("answers the loopback names on its port", async () => {
    const port = new URL(running.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST:${port}`]) {
      expect((await raw(`${running.url}/sandbox/api/state`, host)).status).toBe(200);
    }
  });

  it("npm run sandbox (demo/sandbox/main.ts) answers its own names only", async () => {
    const port = await freePort();
    const root = fileURLToPath(new URL("../../", import.meta.url));
    const child = spawn(process.execPath, [fileURLToPath(new URL("../../node_modules/tsx/dist/cli.mjs", import.meta.url)), "demo/sandbox/main.ts"], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", PORT: String(port) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${out}`)), 20_000);
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("listening on")) {
            clearTimeout(timer);
            resolve();
          }
        });
        child.on("exit", (code) => reject(new Error(`sandbox exited with ${code}: ${out}`)));
      });
      const base = `http://127.0.0.1:${port}`;
      expect((await raw(`${base}/sandbox/api/state`, `127.0.0.1:${port}`)).status).toBe(200);
      expect((await raw(`${base}/sandbox/api/state`, `localhost:${port}`)).status).toBe(200);
      expect((await raw(`${base}/sandbox/api/state`, `attacker.example:${port}`)).status).toBe(421);
    } finally {
      child.kill("SIGTERM");
    }
  }, 30_000);
});

describe("mounted in a server at its public URL", () => {
  const PUBLIC = "https://pay.shop.example";
  let served: Served;
  let sandbox: ReturnType<typeof createSandboxGateway>;

  beforeAll(async () => {
    // As server/main.ts mounts it: beside the server's own routes, with the server's public URL.
    sandbox = createSandboxGateway({ publicUrl: PUBLIC, callbackBaseUrl: PUBLIC });
    const parent = new Hono();
    parent.post("/octopus/notify", (c) => c.json({ result: "success" }));
    parent.get("/", (c) => c.text("shop"));
    parent.route("/", sandbox.app);
    served = await serve(parent);
  });
  afterAll(async () => {
    sandbox.close();
    await served.close();
  });

  it("answers the public host name and refuses any other, leaving the server's own routes alone", async () => {
    expect((await raw(`${served.url}/sandbox/api/state`, "pay.shop.example")).status).toBe(200);
    expect((await raw(`${served.url}/sandbox/api/state`, "PAY.shop.example:443")).status).toBe(200);
    for (const host of ["127.0.0.1", "attacker.example", "pay.shop.example.attacker.example"]) {
      for (const path of SANDBOX_PATHS) expect((await raw(`${served.url}${path}`, host)).status).toBe(421);
    }
    expect((await raw(`${served.url}/`, "attacker.example")).status).toBe(200);
    expect((await raw(`${served.url}/octopus/notify`, "attacker.example", { method: "POST" })).status).toBe(200);
  });

  it("in-process calls to the public URL (the server's own gateway client) pass", async () => {
    const response = await sandbox.app.fetch(new Request(`${PUBLIC}/sandbox/api/state`));
    expect(response.status).toBe(200);
    expect((await sandbox.app.fetch(new Request("http://127.0.0.1/sandbox/api/state"))).status).toBe(421);
  });

  it("with a loopback public URL, every loopback name passes and nothing else", async () => {
    const local = createSandboxGateway({ publicUrl: "http://localhost:8787" });
    try {
      for (const host of ["localhost", "127.0.0.1", "[::1]"]) {
        expect((await local.app.fetch(new Request(`http://${host}:8787/sandbox/api/state`))).status).toBe(200);
      }
      expect((await local.app.fetch(new Request("http://rebound.example:8787/sandbox/api/state"))).status).toBe(421);
    } finally {
      local.close();
    }
  });
});

describe("notify_url and redirect_url when mounted in the server", () => {
  let restricted: Running;
  let open: Running;
  beforeAll(async () => {
    restricted = await startSandbox({ callbackBaseUrl: "http://shop.test:8787/" });
    open = await startSandbox();
  });
  afterAll(async () => {
    await restricted.stop();
    await open.stop();
  });

  const refused: [string, string, string][] = [
    ["notify_url", "http://127.0.0.1:9/notify", "another host"],
    ["notify_url", "http://shop.test:8788/octopus/notify", "another port"],
    ["notify_url", "https://shop.test:8787/octopus/notify", "another scheme"],
    ["redirect_url", "https://attacker.example/phish", "another site"],
    ["redirect_url", "http://shop.test.attacker.example:8787/return", "a look-alike host"],
    ["redirect_url", "http://user@attacker.example/?http://shop.test:8787/", "a look-alike URL"],
  ];
  for (const [field, value, what] of refused) {
    it(`refuses a ${field} on ${what}, naming the field`, async () => {
      const id = uniqueId();
      const result = await call(restricted.url, "new", incomeFields({ merchant_order_id: id, [field]: value }));
      expect(result.status).toBe(400);
      expect(result.json).toEqual({ result: "error", data: { error: "Invalid parameters", details: `The '${field}' field must be under http://shop.test:8787 in this sandbox.` } });
      expect((await getOrder(restricted.url, id)).status).toBe(404);
    });
  }

  it("takes the server's own URLs", async () => {
    const data = await createOrder(restricted.url, incomeFields({ notify_url: "http://shop.test:8787/octopus/notify", redirect_url: "http://shop.test:8787/checkout/return/abc" }));
    expect(data.payment_url).toMatch(/\/octopus\/pay\//);
  });

  it("standalone (no callbackBaseUrl) keeps accepting loopback and other URLs", async () => {
    const data = await createOrder(open.url, incomeFields({ notify_url: "http://127.0.0.1:9/notify", redirect_url: "https://shop.example/return" }));
    expect(data.payment_url).toBeDefined();
  });
});

describe("payment page POST: same origin only", () => {
  let running: Running;
  beforeAll(async () => {
    running = await startSandbox();
  });
  afterAll(() => running.stop());

  async function openPage() {
    const id = uniqueId();
    const data = await createOrder(running.url, incomeFields({ merchant_order_id: id, redirect_url: "https://shop.example/return" }));
    await fetch(data.payment_url);
    return { id, pageUrl: data.payment_url as string };
  }

  function post(pageUrl: string, headers: Record<string, string>) {
    return fetch(pageUrl, {
      method: "POST",
      redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded", ...headers },
      body: "action=pay",
    });
  }

  const crossSite: [string, Record<string, string>][] = [
    ["Sec-Fetch-Site: cross-site", { "Sec-Fetch-Site": "cross-site" }],
    ["Sec-Fetch-Site: same-site", { "Sec-Fetch-Site": "same-site" }],
    ["an Origin of another site", { Origin: "https://attacker.example" }],
    ["an Origin of another port", { Origin: "http://127.0.0.1:1" }],
    ["Origin: null", { Origin: "null" }],
  ];
  for (const [name, headers] of crossSite) {
    it(`refuses a post with ${name}, and the order does not move`, async () => {
      const { id, pageUrl } = await openPage();
      const response = await post(pageUrl, headers);
      expect(response.status).toBe(403);
      expect(await response.text()).toContain("Use the buttons on the payment page itself.");
      expect((await getOrder(running.url, id)).json.data.payment_status).toBe("processing");
    });
  }

  it("takes a post from the page itself (Sec-Fetch-Site or Origin), and one from no browser at all", async () => {
    const origin = new URL(running.url).origin;
    const fromPage: Record<string, string>[] = [{ "Sec-Fetch-Site": "same-origin", Origin: "null" }, { Origin: origin }, {}];
    for (const headers of fromPage) {
      const { id, pageUrl } = await openPage();
      const response = await post(pageUrl, headers);
      expect(response.status).toBe(303);
      expect((await getOrder(running.url, id)).json.data.payment_status).toBe("completed");
    }
  });
});

describe("expiry check", () => {
  /** An order whose reads of the fields an expiry scan needs are counted. */
  function counted(order: SandboxOrder, reads: { count: number }): SandboxOrder {
    return new Proxy(order, {
      get(target, key, receiver) {
        if (key === "expiresAt" || key === "status") reads.count++;
        return Reflect.get(target, key, receiver);
      },
    });
  }

  it("looks only at what is due, however many orders are open", () => {
    let now = Date.UTC(2030, 0, 1);
    const book = createOrderBook();
    const changes: string[] = [];
    const notifier = { notify: (order: SandboxOrder) => changes.push(`${order.merchantOrderId}:${order.status}`) } as unknown as Notifier;
    const lifecycle = createLifecycle({ book, notifier, now: () => now, random: Math.random, payouts: { ...DEFAULT_PAYOUT_SETTINGS } });
    const merchants = createMerchantRegistry([DEFAULT_MERCHANT]);
    const methods = createMethodCatalog(DEFAULT_METHODS);
    const reads = { count: 0 };

    function add(id: string): void {
      const checked = checkNewOrder(incomeFields({ merchant_order_id: id }), DEFAULT_MERCHANT, merchants, methods);
      if (!checked.ok) throw new Error(checked.details);
      const order = counted(
        buildOrder(checked, { merchant: DEFAULT_MERCHANT, now, ttlMs: 15 * 60_000, publicUrl: "http://127.0.0.1", ip: "", userAgent: "", random: Math.random, book, payouts: DEFAULT_PAYOUT_SETTINGS }),
        reads,
      );
      book.add(order);
      // Before the due-queue there was nothing to tell: the sweep scanned the book instead.
      (lifecycle as Partial<typeof lifecycle>).track?.(order);
    }

    add("first");
    now += 60_000;
    for (let i = 0; i < 1000; i++) add(`later-${i}`);

    reads.count = 0;
    for (let call = 0; call < 100; call++) lifecycle.sweep();
    // A hundred calls with nothing due: not one look at an order (a scan would make 100 × 1001 × 2).
    expect(reads.count).toBe(0);

    now += 14 * 60_000;
    reads.count = 0;
    expect(lifecycle.sweep()).toBe(1);
    expect(changes).toEqual(["first:overdue"]);
    expect(reads.count).toBeLessThan(10);

    now += 60_000;
    expect(lifecycle.sweep()).toBe(1000);
    expect(book.find(DEFAULT_MERCHANT.merchantUid, "later-999")?.status).toBe("overdue");
  });

  it("skips an order paid before its expiry, and forgets everything on reset", async () => {
    let now = Date.UTC(2030, 0, 1);
    const running = await startSandbox({ now: () => now });
    try {
      const paid = uniqueId();
      const forgotten = uniqueId();
      await createOrder(running.url, incomeFields({ merchant_order_id: paid }));
      running.sandbox.controls.complete(paid);
      await createOrder(running.url, incomeFields({ merchant_order_id: forgotten }));
      running.sandbox.controls.reset();
      // Same id again after the reset: the old record's expiry must not touch the new one early.
      now += 10 * 60_000;
      await createOrder(running.url, incomeFields({ merchant_order_id: forgotten }));
      now += 6 * 60_000;
      expect((await getOrder(running.url, paid)).status).toBe(404);
      expect((await getOrder(running.url, forgotten)).json.data.payment_status).toBe("pending");
      now += 10 * 60_000;
      expect((await getOrder(running.url, forgotten)).json.data.payment_status).toBe("overdue");
    } finally {
      await running.stop();
    }
  });
});

describe("due queue", () => {
  it("gives back what is due, earliest first, equal times in the order they came", () => {
    const queue = createDueQueue<string>();
    const times = [50, 10, 30, 10, 70, 20, 60, 40];
    times.forEach((at, index) => queue.push(at, `${at}#${index}`));
    expect(queue.nextAt()).toBe(10);
    expect(queue.takeDue(5)).toEqual([]);
    expect(queue.takeDue(30)).toEqual(["10#1", "10#3", "20#5", "30#2"]);
    expect(queue.size()).toBe(4);
    queue.push(35, "35");
    expect(queue.takeDue(1000)).toEqual(["35", "40#7", "50#0", "60#6", "70#4"]);
    expect(queue.nextAt()).toBeUndefined();
    expect(() => queue.push(Number.NaN, "x")).toThrow(RangeError);
  });
});
