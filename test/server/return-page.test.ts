import { runInNewContext } from "node:vm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createdOrder, gatewayReader, readJson } from "../support/stack-requests.ts";
import { SHOP, actOnPaymentPage, createCheckout, gcash, startStack, type Stack } from "../support/stack.ts";
import { testConfig, testServer } from "../support/test-server.ts";
import { manualClock, until } from "../support/time.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ config: { allowedOrigins: [SHOP, "https://other-shop.example"] } });
});
afterAll(async () => {
  await stack.close();
});

const returnPage = (id: string) => stack.app.request(`/checkout/return/${id}`);

function decode(value: string): string {
  return value.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

/** The `data-*` attributes of the page's body, as `document.body.dataset` would give them. */
function bodyData(html: string): Record<string, string> {
  const tag = /<body\b([^>]*)>/.exec(html)?.[1] ?? "";
  const data: Record<string, string> = {};
  for (const [, name, value] of tag.matchAll(/\sdata-([a-z-]+)="([^"]*)"/g)) data[name!] = decode(value!);
  return data;
}

function frameAncestors(response: Response): string | undefined {
  const csp = response.headers.get("content-security-policy") ?? "";
  return /(?:^|;)\s*frame-ancestors ([^;]*)/.exec(csp)?.[1]?.trim();
}

let script: string;
async function returnScript(): Promise<string> {
  script ??= await (await stack.app.request("/checkout/assets/return.js")).text();
  return script;
}

interface FakeWindowOptions {
  data: Record<string, string>;
  opener?: "live" | "closed" | "throws" | null;
  framed?: boolean;
}

/** Runs the return script in a tiny window: records where it posts, where it navigates, whether it closes. */
async function runReturnScript({ data, opener = null, framed = false }: FakeWindowOptions) {
  const posted: { to: string; message: unknown; origin: string }[] = [];
  const replaced: string[] = [];
  let closed = false;
  const target = (name: string) => ({ closed: false, postMessage: (message: unknown, origin: string) => posted.push({ to: name, message, origin }) });
  const window: Record<string, unknown> = {
    close: () => {
      closed = true;
    },
    location: { replace: (url: string) => replaced.push(url) },
  };
  window.parent = framed ? target("parent") : window;
  if (opener === "live") window.opener = target("opener");
  else if (opener === "closed") window.opener = { ...target("opener"), closed: true };
  else if (opener === "throws") {
    Object.defineProperty(window, "opener", {
      get() {
        throw new Error("SecurityError");
      },
    });
  } else window.opener = null;
  const timers: (() => void)[] = [];
  runInNewContext(await returnScript(), { window, document: { body: { dataset: data } }, setTimeout: (run: () => void) => timers.push(run) });
  for (const run of timers) run();
  return { posted, replaced, closed };
}

describe("GET /checkout/return/:id", () => {
  it("carries the recorded merchant origin and the id, and may be framed by that origin only", async () => {
    const { view } = await createdOrder(stack);
    const response = await returnPage(view.id!);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const html = await response.text();
    expect(bodyData(html)).toEqual({ id: view.id, origin: SHOP, back: "" });
    expect(frameAncestors(response)).toBe(SHOP);
    // X-Frame-Options cannot name an origin: it must not be there to block the merchant's iframe.
    expect(response.headers.get("x-frame-options")).toBeNull();
    expect(response.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
    expect(html).toContain('<script src="/checkout/assets/return.js"></script>');
    // No inline script: the CSP allows none.
    expect(html.match(/<script\b[^>]*>[^<]+<\/script>/)).toBeNull();
  });

  it("records the origin of whichever allowed page made the order", async () => {
    const response = await createCheckout(stack, gcash, { Origin: "https://other-shop.example" });
    const { id } = (await response.json()) as { id: string };
    const page = await returnPage(id);
    expect(bodyData(await page.text()).origin).toBe("https://other-shop.example");
    expect(frameAncestors(page)).toBe("https://other-shop.example");
  });

  it("serves a script that posts the return event to exactly that origin, never *", async () => {
    const response = await stack.app.request("/checkout/assets/return.js");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/javascript/);
    const text = await response.text();
    expect(text).toContain("postMessage(message, data.origin)");
    expect(text).toMatch(/octopusCheckout: \{ v: 1, event: "return", id: data\.id \}/);
    expect(text).not.toMatch(/["']\*["']/);
  });

  it("runs in a popup: posts {octopusCheckout:{v:1,event:'return',id}} to the opener at the merchant origin, then closes", async () => {
    const { view } = await createdOrder(stack);
    const data = bodyData(await (await returnPage(view.id!)).text());
    const run = await runReturnScript({ data, opener: "live" });
    expect(run.posted).toEqual([{ to: "opener", message: { octopusCheckout: { v: 1, event: "return", id: view.id } }, origin: SHOP }]);
    expect(run.closed).toBe(true);
    expect(run.replaced).toEqual([]);
  });

  it("runs in an iframe: posts to the parent at the merchant origin and stays", async () => {
    const { view } = await createdOrder(stack);
    const data = bodyData(await (await returnPage(view.id!)).text());
    const run = await runReturnScript({ data, framed: true });
    expect(run.posted).toEqual([{ to: "parent", message: { octopusCheckout: { v: 1, event: "return", id: view.id } }, origin: SHOP }]);
    expect(run.closed).toBe(false);
  });

  it("falls back to location.replace(return_url) with no window to tell (redirect mode, lost or closed opener)", async () => {
    const { view } = await createdOrder(stack, { ...gcash, return_url: `${SHOP}/checkout/done?step=3` });
    const data = bodyData(await (await returnPage(view.id!)).text());
    const back = `${SHOP}/checkout/done?step=3&octopus_checkout=${view.id}`;
    expect(data.back).toBe(back);
    for (const opener of [null, "closed", "throws"] as const) {
      const run = await runReturnScript({ data, opener });
      expect(run.posted).toEqual([]);
      expect(run.replaced).toEqual([back]);
    }
  });

  it("does nothing but show the page with neither a window to tell nor a return_url", async () => {
    const { view } = await createdOrder(stack);
    const data = bodyData(await (await returnPage(view.id!)).text());
    const run = await runReturnScript({ data });
    expect(run).toEqual({ posted: [], replaced: [], closed: false });
  });

  it("posts nowhere when the order has no merchant origin, even with an opener", async () => {
    // Made without an Origin header (a server-side call): there is no page to tell.
    const response = await fetch(`${stack.url}/api/checkout`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ ...gcash, return_url: `${SHOP}/back` }) });
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const page = await returnPage(id);
    expect(frameAncestors(page)).toBe("'none'");
    const data = bodyData(await page.text());
    expect(data.origin).toBe("");
    const run = await runReturnScript({ data, opener: "live" });
    expect(run.posted).toEqual([]);
    expect(run.replaced).toEqual([`${SHOP}/back?octopus_checkout=${id}`]);
  });

  it("puts return_url plus octopus_checkout=<id> in the page and in a link back", async () => {
    const { view } = await createdOrder(stack, { ...gcash, return_url: `${SHOP}/back` });
    const html = await (await returnPage(view.id!)).text();
    const back = `${SHOP}/back?octopus_checkout=${view.id}`;
    expect(bodyData(html).back).toBe(back);
    expect(html).toContain(`<a href="${back}">`);
  });

  it("is the page the gateway sends the shopper back to after paying", async () => {
    const { view } = await createdOrder(stack, { ...gcash, return_url: `${SHOP}/back` });
    const paid = await actOnPaymentPage(view.payment_url!, "pay");
    const location = paid.headers.get("location")!;
    expect(location).toBe(`${stack.url}/checkout/return/${view.id}`);
    const page = await fetch(location);
    expect(page.status).toBe(200);
    // Received, or still submitted if the gateway has not settled it yet: a race the test does not decide.
    expect(await page.text()).toMatch(/<h1>Payment (received|submitted)<\/h1>/);
  });

  it("stops using a return_url and origin that are no longer allowed (no open redirect)", async () => {
    const { view } = await createdOrder(stack, { ...gcash, return_url: `${SHOP}/back` });
    // The same store, served after the merchant removed SHOP from the config.
    const later = testServer({ config: testConfig({ allowedOrigins: ["https://other-shop.example"] }), store: stack.store, gateway: gatewayReader(stack), publicUrl: stack.url });
    const response = await later.app.request(`/checkout/return/${view.id}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(bodyData(html)).toEqual({ id: view.id, origin: "", back: "" });
    expect(html).not.toContain(SHOP);
    expect(frameAncestors(response)).toBe("'none'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    const run = await runReturnScript({ data: bodyData(html), opener: "live" });
    expect(run).toEqual({ posted: [], replaced: [], closed: false });
  });

  it.each([["ck_AAAAAAAAAAAAAAAAAAAAAA"], ["nope"], ["%3Cscript%3Ealert(1)%3C%2Fscript%3E"]])("answers an unknown id (%s) with a 404 page that cannot be framed", async (id) => {
    const response = await returnPage(id);
    expect(response.status).toBe(404);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("Checkout not found");
    expect(html).not.toContain("<script");
    expect(html).not.toContain("alert(1)");
    expect(frameAncestors(response)).toBe("'none'");
    expect(response.headers.get("x-frame-options")).toBe("DENY");
  });
});

describe("in the shopper's language", () => {
  it("speaks the language the order was made in, else the browser's; says how the payment stands", async () => {
    const thai = await createdOrder(stack, { ...gcash, locale: "th" });
    const page = await returnPage(thai.view.id!);
    const html = await page.text();
    expect(html).toContain('<html lang="th">');
    expect(html).toContain("<title>กำลังกลับไปที่ร้านค้า…</title>");
    expect(html).toContain("<h1>ส่งการชำระเงินแล้ว</h1>");
    expect(page.headers.get("content-language")).toBe("th");

    await actOnPaymentPage(thai.view.payment_url!, "fail");
    await until(async () => (await readJson<{ status: string }>(await fetch(`${stack.url}/api/checkout/${thai.view.id}`, { headers: { Origin: SHOP } }))).status === "failed");
    expect(await (await returnPage(thai.view.id!)).text()).toContain("<h1>การชำระเงินไม่เสร็จสมบูรณ์</h1>");

    const unknown = await stack.app.request("/checkout/return/ck_AAAAAAAAAAAAAAAAAAAAAA", { headers: { "Accept-Language": "vi-VN,vi;q=0.9" } });
    expect(await unknown.text()).toContain("<h1>Không tìm thấy giao dịch thanh toán</h1>");
  });
});

describe("coming back from the payment page", () => {
  it("re-reads the order before the widget is told to look, so a just-paid order is not 'processing'", async () => {
    const clock = manualClock();
    // A long poll window, and notifications lost: only the return page's own re-read can know.
    const own = await startStack({ config: { refreshAfterSeconds: 60 }, server: { now: clock.now } });
    try {
      own.sandbox.controls.setNotifyFaults({ drop: 1 });
      const { view, merchantOrderId } = await createdOrder(own);
      own.sandbox.controls.complete(merchantOrderId);
      clock.advance(2_000);
      const before = own.gatewayCalls.filter((call) => call === "order/get").length;
      expect((await readJson(await fetch(`${own.url}/api/checkout/${view.id}`))).status).toBe("pending");

      const page = await fetch(`${own.url}/checkout/return/${view.id}`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<h1>Payment received</h1>");
      expect((await readJson(await fetch(`${own.url}/api/checkout/${view.id}`))).status).toBe("completed");
      expect(own.gatewayCalls.filter((call) => call === "order/get").length).toBe(before + 1);

      // Reloading the return page does not make it a way to hammer the gateway: the order is final.
      await fetch(`${own.url}/checkout/return/${view.id}`);
      expect(own.gatewayCalls.filter((call) => call === "order/get").length).toBe(before + 1);
    } finally {
      await own.close();
    }
  });
});
