/** The hosted payment page: what the shopper sees, what its buttons do, and the headers it sends. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createOrder, fetchManual, getOrder, incomeFields, MERCHANT, payoutFields, postForm, startSandbox, thaiFields, uniqueId, type Running } from "../support/sandbox.ts";

let running: Running;
let url: string;

beforeAll(async () => {
  running = await startSandbox({ merchants: [MERCHANT, { apiKey: "k2", apiSecret: "s2", merchantUid: "m2", merchantName: `Tom & Jerry's <Shop>` }] });
  url = running.url;
});
afterAll(() => running.stop());
beforeEach(() => running.sandbox.controls.setRefuseFraming(false));

async function statusOf(id: string): Promise<string> {
  return (await getOrder(url, id)).json.data.payment_status;
}

async function newPage(fields: Record<string, string | undefined> = {}) {
  const id = uniqueId();
  const data = await createOrder(url, incomeFields({ merchant_order_id: id, redirect_url: "https://shop.example/return?order=1", ...fields }));
  return { id, pageUrl: data.payment_url as string };
}

describe("content", () => {
  it("shows the sandbox marker, merchant, amount, method, order id and expiry, with Pay/Fail/Reject forms", async () => {
    const { id, pageUrl } = await newPage({ amount: "1234.50" });
    const response = await fetch(pageUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain("SANDBOX");
    expect(html).toContain("Sandbox Shop");
    expect(html).toContain("₱1,234.50");
    expect(html).toContain("GCash");
    expect(html).toContain(id);
    expect(html).toMatch(/Expires/);
    expect(html).toMatch(/<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z">/);
    expect(html).toContain("in 15 min");
    expect(html).toMatch(/<form method="post"/);
    for (const action of ["pay", "fail", "reject"]) expect(html).toContain(`name="action" value="${action}"`);
    expect(html).toMatch(/Doing nothing lets it expire/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
  });

  it("has no inline script or style, and its stylesheet is served by the sandbox", async () => {
    const { pageUrl } = await newPage();
    const html = await (await fetch(pageUrl)).text();
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<style/i);
    expect(html).not.toMatch(/\sstyle=/i);
    expect(html).not.toMatch(/\son[a-z]+=/i);
    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1];
    expect(href).toBe("assets/page.css");
    const css = await fetch(new URL(href ?? "", pageUrl));
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
    expect(await css.text()).toContain(".sandbox-bar");
  });

  it("never shows what must stay server-side", async () => {
    const { id, pageUrl } = await newPage();
    const details = (await getOrder(url, id)).json.data;
    const html = await (await fetch(pageUrl)).text();
    expect(html).not.toContain(details.signature_key);
    expect(html).not.toContain(details.merchant_uid);
    expect(html).not.toContain(details.distribute_rules);
  });

  it("escapes what the merchant sent", async () => {
    const id = uniqueId();
    const data = await createOrder(url, incomeFields({ merchant_order_id: id, merchant_uid: "m2" }), { key: "k2", secret: "s2" });
    const html = await (await fetch(data.payment_url)).text();
    expect(html).toContain("Tom &amp; Jerry&#39;s &lt;Shop&gt;");
    expect(html).not.toContain("<Shop>");
  });

  it("tells a Thailand payer to transfer exactly the floating amount, and shows the channel", async () => {
    const id = uniqueId();
    const data = await createOrder(url, thaiFields({ merchant_order_id: id, amount: "1500.00", channel: "bank_transfer" }));
    const floating = data.payment.floating_amount as string;
    const satang = Number(floating.split(".")[1]);
    const html = await (await fetch(data.payment_url)).text();
    expect(html).toContain("Transfer exactly");
    expect(html).toContain(`฿1,500.${floating.split(".")[1]}`);
    expect(html).toContain(`Order total ฿1,500.00 plus ${satang} satang`);
    expect(html).toContain("Thai bank transfer");
    expect(html).toContain("Bank transfer");
  });

  it("answers an unknown token with a 404 page", async () => {
    const response = await fetch(`${url}/octopus/pay/no-such-token`);
    expect(response.status).toBe(404);
    expect(await response.text()).toContain("Payment not found");
  });
});

describe("headers", () => {
  it("sends a strict CSP that allows framing by default", async () => {
    const { pageUrl } = await newPage();
    const response = await fetch(pageUrl);
    const csp = response.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("form-action 'self' https://shop.example");
    expect(csp).not.toContain("frame-ancestors");
    expect(response.headers.get("x-frame-options")).toBeNull();
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    expect(response.headers.get("cache-control")).toBe("no-store");
  });

  it("refuses to be framed when a tester says so", async () => {
    const { pageUrl } = await newPage();
    running.sandbox.controls.setRefuseFraming(true);
    const response = await fetch(pageUrl);
    expect(response.headers.get("x-frame-options")).toBe("DENY");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    running.sandbox.controls.setRefuseFraming(false);
    expect((await fetch(pageUrl)).headers.get("x-frame-options")).toBeNull();
  });
});

describe("actions", () => {
  it("opening the page moves pending to processing (once)", async () => {
    const { id, pageUrl } = await newPage();
    expect(await statusOf(id)).toBe("pending");
    await fetch(pageUrl);
    expect(await statusOf(id)).toBe("processing");
    await fetch(pageUrl);
    const history = running.sandbox.controls.getOrder(id)?.history.map((change) => [change.status, change.source]);
    expect(history).toEqual([
      ["pending", "api"],
      ["processing", "page"],
    ]);
  });

  it("a HEAD request (a link checker) does not start the payment", async () => {
    const { id, pageUrl } = await newPage();
    expect((await fetch(pageUrl, { method: "HEAD" })).status).toBe(200);
    expect(await statusOf(id)).toBe("pending");
  });

  it("opening a Thailand page moves preparing to processing", async () => {
    const id = uniqueId();
    const data = await createOrder(url, thaiFields({ merchant_order_id: id }));
    await fetch(data.payment_url);
    expect(await statusOf(id)).toBe("processing");
  });

  for (const [action, status, reason] of [
    ["pay", "completed", ""],
    ["fail", "failed", "The payment failed."],
    ["reject", "reject", "The payment was rejected."],
  ] as const) {
    it(`${action} → ${status}, then 303 to the redirect_url`, async () => {
      const { id, pageUrl } = await newPage();
      await fetch(pageUrl);
      const response = await postForm(pageUrl, action);
      expect(response.status).toBe(303);
      expect(response.headers.get("location")).toBe("https://shop.example/return?order=1");
      const data = (await getOrder(url, id)).json.data;
      expect(data.payment_status).toBe(status);
      expect(data.payment_fail_reason).toBe(reason);
      expect(data.accounting_status).toBe(status === "completed" ? "accounted" : "none");
    });
  }

  it("without a redirect_url, 303s to the page, which shows the result without buttons", async () => {
    const { id, pageUrl } = await newPage({ redirect_url: undefined });
    const response = await postForm(pageUrl, "pay");
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get("location") ?? "", pageUrl).toString();
    expect(location).toBe(pageUrl);
    const result = await fetch(location);
    const html = await result.text();
    expect(html).toContain("Payment completed");
    expect(html).not.toContain("<form");
    expect(await statusOf(id)).toBe("completed");
    // Paid directly from pending: the history still shows the payment being started.
    expect(running.sandbox.controls.getOrder(id)?.history.map((change) => change.status)).toEqual(["pending", "processing", "completed"]);
  });

  it("a final order shows its status with a way back, and a late click changes nothing", async () => {
    const { id, pageUrl } = await newPage();
    await postForm(pageUrl, "fail");
    const late = await postForm(pageUrl, "pay");
    expect(late.status).toBe(303);
    expect(new URL(late.headers.get("location") ?? "", pageUrl).toString()).toBe(pageUrl);
    expect(await statusOf(id)).toBe("failed");
    const html = await (await fetch(pageUrl)).text();
    expect(html).toContain("Payment failed");
    expect(html).toContain('href="https://shop.example/return?order=1"');
    expect(html).not.toContain('value="pay"');
  });

  it("an expired order shows as expired and cannot be paid", async () => {
    const { id, pageUrl } = await newPage();
    await fetch(pageUrl);
    running.sandbox.controls.advanceClock(15 * 60_000);
    const late = await postForm(pageUrl, "pay");
    expect(late.status).toBe(303);
    expect(await statusOf(id)).toBe("overdue");
    const html = await (await fetch(pageUrl)).text();
    expect(html).toContain("Payment expired");
    expect(html).not.toContain("<form");
  });

  it("refuses an unknown action without touching the order", async () => {
    const { id, pageUrl } = await newPage();
    const response = await postForm(pageUrl, "steal");
    expect(response.status).toBe(400);
    expect(await statusOf(id)).toBe("pending");
  });

  it("has no page for a payout", async () => {
    const data = await createOrder(url, payoutFields());
    expect(data.payment_url).toBeUndefined();
  });

  it("follows through to the merchant's page like a browser would", async () => {
    const { pageUrl } = await newPage({ redirect_url: `${url}/octopus/pay/assets/page.css` });
    // Any URL the sandbox itself serves stands in for the shop's return page here.
    const followed = await fetch(pageUrl, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "action=pay",
    });
    expect(followed.url).toBe(`${url}/octopus/pay/assets/page.css`);
    expect(followed.status).toBe(200);
  });

  it("accepts the form as multipart too", async () => {
    const { id, pageUrl } = await newPage();
    const form = new FormData();
    form.set("action", "reject");
    const response = await fetchManual(pageUrl, { method: "POST", body: form });
    expect(response.status).toBe(303);
    expect(await statusOf(id)).toBe("reject");
  });
});
