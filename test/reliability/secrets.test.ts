/**
 * A whole run of checkouts (paid, failed, rejected, expired, refunded, under every gateway fault,
 * with lost, doubled and reordered notifications, forgeries, refusals and the sweep), capturing every
 * response the server sent (status, headers, body) and every log line it wrote; then the built
 * widget bundle and its translations. None may contain the gateway secret, any order's
 * signature_key, what the gateway recorded about the caller (ip, user_agent), distribute_rules or
 * the merchant UID. Twice: with the sandbox's default credentials, and with distinctive ones.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { FaultMode } from "../../demo/sandbox/faults.ts";
import { SENSITIVE_ORDER_FIELDS, type OrderDetails } from "../../server/gateway/schemas.ts";
import { canonicalString, hmacSha256Hex } from "../../server/gateway/signing.ts";
import { actOnPaymentPage, SHOP } from "../support/stack.ts";
import { I18N_DIR, WIDGET_FILE, startCaptureStack, translationFiles, widgetCode, type CaptureOptions, type CaptureStack } from "../support/capture-stack.ts";
import { printTable } from "../support/load.ts";
import { offsetClock, sleep } from "../support/time.ts";

const FAULT_MODES: readonly FaultMode[] = ["error500", "malformed", "hang", "commit_then_hang", "commit_then_fail"];
const random = () => Math.random().toString(36).slice(2, 10);

/** The shopper's own address and browser, sent with every shopper request: also never to be echoed. */
const SHOPPER_IP = "198.51.100.173";
const SHOPPER_UA = `Mozilla/5.0 (ShopperPhone; shopper-marker-${random()}) Mobile`;

const gcash = { amount: "100.00", currency: "php", country: "PH", payment: "gcash" };
const thai = { amount: "300.00", currency: "thb", country: "TH", payment: "thailand" };
const vnd = { amount: "50000", currency: "vnd", country: "VN", payment: "momo" };

async function shopper(stack: CaptureStack, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = { "User-Agent": SHOPPER_UA, "X-Forwarded-For": SHOPPER_IP, ...(init.headers as Record<string, string> | undefined) };
  return fetch(`${stack.url}${path}`, { ...init, headers });
}

async function create(stack: CaptureStack, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await shopper(stack, "/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: SHOP, ...headers }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as Record<string, any> };
}

/**
 * A create that must end in `status` for the run to cover it. On a loaded machine the gateway
 * client's short timeout can turn any create into a 503, so it is tried a few times (new key each time).
 */
async function createExpecting(stack: CaptureStack, status: number, body: Record<string, unknown>, headers: () => Record<string, string> = () => ({})) {
  let answer = await create(stack, body, headers());
  for (let attempt = 1; attempt < 4 && answer.status !== status; attempt++) answer = await create(stack, body, headers());
  expect(answer.status, JSON.stringify(answer.json)).toBe(status);
  return answer;
}

async function get(stack: CaptureStack, path: string, headers: Record<string, string> = {}): Promise<number> {
  const response = await shopper(stack, path, { headers });
  await response.arrayBuffer();
  return response.status;
}

async function merchantOrderIdOf(stack: CaptureStack, id: string): Promise<string> {
  return (await stack.store.get(id))!.merchantOrderId;
}

async function notify(stack: CaptureStack, fields: Record<string, string>, key: string, secret: string, raw?: string) {
  const signature = await hmacSha256Hex(secret, canonicalString(fields, { strict: false }));
  const response = await fetch(`${stack.url}/octopus/notify`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "OC-Key": key, "OC-Signature": signature },
    body: raw ?? JSON.stringify(fields),
  });
  await response.text();
  return response.status;
}

/** Every kind of request and outcome the server has, once or more. */
async function runFlow(stack: CaptureStack, credentials: CaptureOptions, clock: ReturnType<typeof offsetClock>) {
  const controls = stack.sandbox.controls;
  const key = (name: string) => `secrets-${name}-${random()}`;

  // Static and support routes.
  for (const path of ["/api/checkout/options", "/healthz", "/widget.js", "/widget.manifest.json", "/checkout/wait?lang=th", "/checkout/wait", "/checkout/assets/return.js", "/checkout/assets/return.css", "/checkout/assets/wait.css", "/nowhere", "/api/checkout/ck_AAAAAAAAAAAAAAAAAAAAAA", "/api/checkout/not-an-id", "/checkout/return/ck_AAAAAAAAAAAAAAAAAAAAAA"]) {
    await get(stack, path);
  }
  const manifest = (await (await shopper(stack, "/widget.manifest.json")).json()) as { url: string };
  await get(stack, manifest.url);
  for (const locale of Object.keys(translationFiles())) await get(stack, `/widget/i18n/${locale}.json`);
  await get(stack, "/widget/i18n/xx.json");
  await shopper(stack, "/api/checkout", { method: "OPTIONS", headers: { Origin: SHOP, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "content-type,idempotency-key" } }).then((r) => r.text());

  // Paid: with everything a shopper may send, replayed, key reused, returned, polled, framed.
  let paidKey = "";
  const paidBody = { ...gcash, customer: "member-42", description: "Top-up", locale: "th", return_url: `${SHOP}/back?x=1` };
  const paid = await createExpecting(stack, 201, paidBody, () => ({ "Idempotency-Key": (paidKey = key("paid")) }));
  await create(stack, paidBody, { "Idempotency-Key": paidKey });
  await create(stack, { ...paidBody, amount: "101.00" }, { "Idempotency-Key": paidKey });
  await get(stack, `/api/checkout/${paid.json.id}/framing`);
  expect((await actOnPaymentPage(paid.json.payment_url, "pay")).status).toBe(303);
  await get(stack, `/checkout/return/${paid.json.id}`);
  await get(stack, `/api/checkout/${paid.json.id}`, { Origin: SHOP });

  // Failed (Thai, floating amount), rejected and expired by the gateway; one refunded after paying.
  const failed = await createExpecting(stack, 201, { ...thai, customer: "member-77" });
  await actOnPaymentPage(failed.json.payment_url, "fail");
  const rejected = await createExpecting(stack, 201, vnd);
  controls.reject(await merchantOrderIdOf(stack, rejected.json.id));
  const expired = await createExpecting(stack, 201, gcash);
  controls.expire(await merchantOrderIdOf(stack, expired.json.id));
  const refunded = await createExpecting(stack, 201, gcash);
  controls.complete(await merchantOrderIdOf(stack, refunded.json.id));
  await controls.idle();
  controls.refund(await merchantOrderIdOf(stack, refunded.json.id));
  await controls.idle();
  clock.advance(2_000);
  for (const order of [failed, rejected, expired, refunded]) await get(stack, `/api/checkout/${order.json.id}`);

  // Notifications lost, doubled, reordered: polls and the sweep find out.
  controls.setNotifyFaults({ drop: 0.4, duplicate: 0.5, reorder: true, reorderWindowMs: 50 });
  const noisy = [];
  for (let index = 0; index < 8; index++) noisy.push(await createExpecting(stack, 201, index % 2 ? gcash : thai));
  for (const [index, order] of noisy.entries()) {
    if (index % 3 === 0) await actOnPaymentPage(order.json.payment_url, "pay");
    else if (index % 3 === 1) await actOnPaymentPage(order.json.payment_url, "fail");
    else controls.reject(await merchantOrderIdOf(stack, order.json.id));
  }
  await controls.idle();
  controls.setNotifyFaults({ drop: 0, duplicate: 0, reorder: false });

  // Every gateway fault, on create and on reading back, on polls and on notifications.
  for (const mode of FAULT_MODES) {
    controls.addFault({ endpoint: "new", mode, times: 1 });
    await create(stack, gcash, { "Idempotency-Key": key(`new-${mode}`) });
    controls.clearFaults();
    controls.addFault({ endpoint: "any", mode, probability: 0.5 });
    for (let index = 0; index < 4; index++) await create(stack, index % 2 ? gcash : thai);
    controls.clearFaults();

    const polled = await createExpecting(stack, 201, gcash);
    controls.addFault({ endpoint: "get", mode, times: 2 });
    clock.advance(2_000);
    await get(stack, `/api/checkout/${polled.json.id}`);
    // A notification the server cannot check with the gateway: it answers 503, the gateway retries.
    controls.addFault({ endpoint: "get", mode, times: 1 });
    controls.complete(await merchantOrderIdOf(stack, polled.json.id));
    await controls.idle();
    controls.clearFaults();
  }

  // Forged, unknown, broken and oversized notifications; refused checkouts of every kind.
  const someone = await merchantOrderIdOf(stack, paid.json.id);
  await notify(stack, { merchant_order_id: someone, payment_status: "completed" }, credentials.apiKey, "not-the-secret");
  await notify(stack, { merchant_order_id: someone, payment_status: "completed" }, "not-the-key", credentials.apiSecret);
  await notify(stack, { merchant_order_id: "test-unknown-order", payment_status: "completed" }, credentials.apiKey, credentials.apiSecret);
  await notify(stack, { payment_status: "completed" }, credentials.apiKey, credentials.apiSecret);
  await notify(stack, { merchant_order_id: someone }, credentials.apiKey, credentials.apiSecret, "{not json");
  await notify(stack, { merchant_order_id: someone }, credentials.apiKey, credentials.apiSecret, JSON.stringify({ merchant_order_id: someone, pad: "x".repeat(20_000) }));
  await create(stack, { ...gcash, amount: "1e3" });
  await create(stack, { ...gcash, amount: "100000.00" });
  await create(stack, { ...gcash, payment: "nope" });
  await createExpecting(stack, 502, { ...gcash, payment: "maya" });
  await create(stack, { ...gcash, redirect_url: "https://evil.test" });
  await create(stack, { ...gcash, return_url: "https://evil.test/back" });
  await create(stack, { ...gcash, product: "starter-pack" });
  await create(stack, gcash, { "Idempotency-Key": "no" });
  await create(stack, gcash, { Origin: "https://evil.test" });
  await shopper(stack, "/api/checkout", { method: "POST", headers: { "Content-Type": "text/plain", Origin: SHOP }, body: "amount=1" }).then((r) => r.text());
  await shopper(stack, "/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: SHOP }, body: "{oops" }).then((r) => r.text());
  await shopper(stack, "/api/checkout", { method: "POST", headers: { "Content-Type": "application/json", Origin: SHOP }, body: JSON.stringify({ ...gcash, description: "x".repeat(17_000) }) }).then((r) => r.text());

  // The sweep settles everything, then every order is looked at once more.
  clock.advance(6 * 60_000);
  for (let pass = 0; pass < 20; pass++) if ((await stack.checkout.sweepOnce()).claimed === 0) break;
  clock.advance(2_000);
  for (const order of await stack.store.recent(1_000)) {
    await get(stack, `/api/checkout/${order.id}`);
    await get(stack, `/checkout/return/${order.id}`);
  }
  await sleep(50);
}

interface Secret {
  name: string;
  value: string;
}

function scan(targets: { where: string; text: string }[], secrets: readonly Secret[]) {
  const found: string[] = [];
  for (const { where, text } of targets) {
    for (const secret of secrets) if (text.includes(secret.value)) found.push(`${secret.name} in ${where}`);
  }
  return found;
}

const figures: Record<string, string | number>[] = [];

async function secretsRun(label: string, credentials: CaptureOptions) {
  const started = performance.now();
  const clock = offsetClock();
  const stack = await startCaptureStack({ ...credentials, now: clock.now });
  try {
    await runFlow(stack, credentials, clock);

    // What the gateway holds about each order, read with the gateway client (the sandbox's controls leave signature_key out).
    const details: OrderDetails[] = [];
    for (const order of stack.sandbox.controls.listOrders()) details.push(await stack.reader.getOrder(order.merchant_order_id));
    expect(details.length).toBeGreaterThan(30);
    // The gateway did record the distinctive caller: otherwise scanning for it would prove nothing.
    for (const order of details) {
      expect(order.ip).toBe(credentials.localAddress);
      expect(order.user_agent).toBe(credentials.userAgent);
      expect(order.signature_key).toMatch(/^[0-9a-f]{32}$/);
    }
    // Every field the server keeps to itself (SENSITIVE_ORDER_FIELDS), as the gateway holds it for each order.
    const held = (field: (typeof SENSITIVE_ORDER_FIELDS)[number]) => [...new Set(details.map((order) => String(order[field] ?? "")))].filter((value) => value !== "");
    const secrets: Secret[] = [
      { name: "gateway secret", value: credentials.apiSecret },
      { name: "merchant_uid", value: credentials.merchantUid },
      ...held("merchant_uid").map((value) => ({ name: "merchant_uid (gateway's)", value })),
      ...held("merchant_name").map((value) => ({ name: "merchant_name (gateway's)", value })),
      ...held("distribute_rules").map((value) => ({ name: "distribute_rules", value })),
      ...held("ip").map((value) => ({ name: "ip the gateway recorded", value })),
      ...held("user_agent").map((value) => ({ name: "user_agent the gateway recorded", value })),
      ...details.map((order) => ({ name: `signature_key of ${order.merchant_order_id}`, value: String(order.signature_key) })),
      { name: "shopper ip", value: SHOPPER_IP },
      { name: "shopper user agent", value: SHOPPER_UA },
    ];
    expect(new Set(secrets.map((secret) => secret.name)).size).toBeGreaterThanOrEqual(10);

    const bodies = stack.responses.map((response) => ({ where: `body of ${response.status} ${response.request}`, text: response.body }));
    const headers = stack.responses.map((response) => ({ where: `headers of ${response.status} ${response.request}`, text: response.headers.map(([name, value]) => `${name}: ${value}`).join("\n") }));
    const logs = stack.logs.map((line, index) => ({ where: `log line ${index}: ${line.slice(0, 200)}`, text: line }));
    const widget = { where: WIDGET_FILE, text: widgetCode() };
    const translations = Object.entries(translationFiles()).map(([locale, text]) => ({ where: `${I18N_DIR}${locale}.json`, text }));
    // The English strings are bundled in the widget; the file itself is scanned too.
    const english = { where: `${I18N_DIR}en.ts`, text: readFileSync(`${I18N_DIR}en.ts`, "utf8") };
    const found = scan([...bodies, ...headers, ...logs, widget, ...translations, english], secrets);

    const bytes = (items: { text: string }[]) => items.reduce((sum, item) => sum + Buffer.byteLength(item.text), 0);
    const statuses = new Map<number, number>();
    for (const response of stack.responses) statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    figures.push({
      run: label,
      responses: stack.responses.length,
      "body bytes": bytes(bodies),
      "header lines": stack.responses.reduce((sum, response) => sum + response.headers.length, 0),
      "log lines": logs.length,
      "log bytes": bytes(logs),
      "widget+i18n bytes": bytes([widget, ...translations, english]),
      "gateway orders": details.length,
      "secrets sought": secrets.length,
      found: found.length,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
    });
    console.log(`\nsecrets, ${label}: responses by status ${[...statuses.entries()].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(" ")}; hook calls ${stack.updates.length}; log levels ${JSON.stringify(countLevels(stack.logs))}`);

    expect(found).toEqual([]);
    // The scan does find them where they are: in the gateway's own order/get answer.
    const control = scan([{ where: "order/get", text: JSON.stringify(details[0]) }], secrets);
    for (const name of ["merchant_uid", "merchant_name (gateway's)", "distribute_rules", "ip the gateway recorded", "user_agent the gateway recorded", `signature_key of ${details[0]!.merchant_order_id}`]) {
      expect(control, "the scan misses what it looks for").toContain(`${name} in order/get`);
    }
    // The run covered what it claims: refusals, failures, notifications and every final status.
    for (const status of [200, 201, 400, 401, 403, 404, 413, 422, 502, 503]) expect(statuses.has(status), `no ${status} answered`).toBe(true);
    expect(stack.responses.some((response) => response.request === "POST /octopus/notify" && response.status === 200)).toBe(true);
    const finals = new Set(stack.updates.map((update) => update.change.to));
    for (const status of ["completed", "failed", "reject", "overdue", "refund"]) expect(finals.has(status as never), `no order ended ${status}`).toBe(true);
  } finally {
    await stack.close();
  }
}

function countLevels(lines: readonly string[]) {
  const levels: Record<string, number> = {};
  for (const line of lines) {
    const level = (JSON.parse(line) as { level: string }).level;
    levels[level] = (levels[level] ?? 0) + 1;
  }
  return levels;
}

describe("no secret leaves the server", () => {
  it("with the sandbox's default credentials (sandbox-secret, sandbox-merchant)", async () => {
    await secretsRun("default credentials", {
      apiKey: "sandbox-key",
      apiSecret: "sandbox-secret",
      merchantUid: "sandbox-merchant",
      merchantName: "Sandbox Shop",
      localAddress: "127.77.0.41",
      userAgent: `octopus-checkout-server/41 (gateway-client-${random()})`,
    });
  });

  it("with distinctive credentials of our own", async () => {
    const tag = random();
    await secretsRun("distinctive credentials", {
      apiKey: `rel-key-${tag}`,
      apiSecret: `rel-secret-${tag}-${random()}${random()}`,
      merchantUid: `rel-merchant-${tag}`,
      merchantName: `Gateway Merchant ${tag}`,
      localAddress: "127.77.0.42",
      userAgent: `octopus-checkout-server/42 (gateway-client-${random()})`,
    });
    printTable("secrets: what was scanned (every response body and header, every log line, the widget bundle and translations)", figures);
  });
});
