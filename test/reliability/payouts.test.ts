/**
 * Payouts under gateway faults and under contention: 500 payouts with 20% of gateway calls failing
 * must make no duplicate expense order at the gateway and leave none unsettled once the sweep has
 * run; 20 concurrent creators must never pass the day's cap, on SQLite and, with DATABASE_URL, on
 * two instances sharing PostgreSQL.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresStore } from "../../server/store/postgres.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { allOrders, pool, printFigures } from "../support/load.ts";
import { offsetClock } from "../support/time.ts";

const KEY = "sk_test_reliability_payouts_0123456789abcdef";
const PAYOUTS = 500;
const IN_FLIGHT = 20;

async function postPayout(stack: Stack, body: Record<string, string>, key: string, timeoutMs = 5_000): Promise<{ status: number; id: string | null; code: string | null } | "timeout"> {
  try {
    const response = await fetch(`${stack.url}/api/v1/payouts`, {
      method: "POST",
      headers: { Authorization: `Bearer ${KEY}`, "Content-Type": "application/json", "Idempotency-Key": key },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const json = (await response.json()) as { id?: string; error?: { code: string } };
    return { status: response.status, id: json.id ?? null, code: json.error?.code ?? null };
  } catch (error) {
    if ((error as Error).name === "TimeoutError") return "timeout";
    throw error;
  }
}

const body = (index: number) => ({ amount: `${100 + (index % 50)}.00`, currency: "php", country: "PH", payment: index % 2 ? "gcash" : "maya", to: `0917${String(index).padStart(7, "0")}`, to_name: `Payee ${index}` });

describe("payouts under gateway faults", () => {
  it(`${PAYOUTS} payouts with 20% of gateway calls failing: no duplicate expense order, none unsettled after the sweep`, async () => {
    const clock = offsetClock();
    const stack = await startStack({
      sandbox: { payouts: { processingMs: 20, settleMs: 40 }, expirySweepMs: 20 },
      client: { timeoutMs: 1_000 },
      server: { now: clock.now, secretKeys: [KEY], payouts: { php: { maxPerPayout: "1000.00", maxPerDay: "1000000.00" } }, idempotencyWaitMs: 8_000 },
    });
    try {
      // Half the faults lose the answer after the gateway made the order: the hard case.
      stack.sandbox.controls.addFault({ endpoint: "any", mode: "commit_then_fail", probability: 0.1 });
      stack.sandbox.controls.addFault({ endpoint: "any", mode: "error500", probability: 0.1 / 0.9 });
      const runId = Date.now().toString(36);
      const answers = await pool(
        Array.from({ length: PAYOUTS }, (_, index) => index),
        IN_FLIGHT,
        async (index) => {
          const key = `rel-payout-${runId}-${index}`;
          const first = await postPayout(stack, body(index), key);
          // A backend that lost the answer retries with the same key, as the docs say.
          if (first === "timeout" || first.status >= 500) return { first, retry: await postPayout(stack, body(index), key, 15_000) };
          return { first, retry: null };
        },
      );
      stack.sandbox.controls.clearFaults();

      // The faults stop; the sweep settles whatever is still undecided.
      clock.advance(5 * 60_000 + 1_000);
      let passes = 0;
      for (;;) {
        const undecided = (await allOrders(stack)).filter((order) => order.kind === "payout" && (order.gatewayState === "creating" || order.gatewayState === "unknown"));
        if (undecided.length === 0 || passes >= 200) break;
        await stack.checkout.sweepOnce();
        passes++;
      }

      const payouts = (await allOrders(stack)).filter((order) => order.kind === "payout");
      const atGateway = stack.sandbox.controls.listOrders().filter((order) => order.transaction_type === "expense");
      const perMerchantId = new Map<string, number>();
      for (const order of atGateway) perMerchantId.set(order.merchant_order_id, (perMerchantId.get(order.merchant_order_id) ?? 0) + 1);
      const duplicates = [...perMerchantId.values()].filter((count) => count > 1).length;
      const stored = new Set(payouts.map((payout) => payout.merchantOrderId));
      const orphansAtGateway = atGateway.filter((order) => !stored.has(order.merchant_order_id)).length;
      const unsettled = payouts.filter((payout) => payout.gatewayState === "creating" || payout.gatewayState === "unknown").length;
      const byState = payouts.reduce<Record<string, number>>((counts, payout) => ({ ...counts, [payout.gatewayState]: (counts[payout.gatewayState] ?? 0) + 1 }), {});
      const unexpected = answers.filter(({ first, retry }) => {
        const last = retry ?? first;
        return last === "timeout" || (last.status !== 201 && last.status !== 200);
      }).length;

      printFigures("payouts under 20% gateway faults", {
        payouts: PAYOUTS,
        "stored payouts": payouts.length,
        "expense orders at the gateway": atGateway.length,
        "duplicate expense orders": duplicates,
        "gateway orders with no stored payout": orphansAtGateway,
        "retried by the backend": answers.filter((answer) => answer.retry !== null).length,
        "answers other than 200/201 after one retry": unexpected,
        "sweep passes": passes,
        "unsettled after the sweep": unsettled,
        "stored by gateway state": JSON.stringify(byState),
      });
      expect(payouts).toHaveLength(PAYOUTS);
      expect(duplicates).toBe(0);
      expect(orphansAtGateway).toBe(0);
      expect(unsettled).toBe(0);
      expect(unexpected).toBe(0);
    } finally {
      await stack.close();
    }
  });
});

describe("the day's payout cap under contention", () => {
  const CAP = "10000.00";
  const AMOUNT = "150.00";
  // 66 × 150 = 9,900: the 67th would pass 10,000.
  const FITS = 66;

  async function hammer(stacks: Stack[]): Promise<{ accepted: number; refused: number; other: number }> {
    const runId = Date.now().toString(36);
    const results = await pool(
      Array.from({ length: 200 }, (_, index) => index),
      20,
      // The cap is the point here, not latency: a generous timeout, so a loaded machine cannot fake a refusal.
      async (index) => postPayout(stacks[index % stacks.length]!, { ...body(index), amount: AMOUNT }, `cap-${runId}-${index}`, 30_000),
    );
    const accepted = results.filter((result) => result !== "timeout" && result.status === 201).length;
    const refused = results.filter((result) => result !== "timeout" && result.status === 400 && result.code === "invalid_request").length;
    const other = results.filter((result) => result === "timeout" || (result.status !== 201 && !(result.status === 400 && result.code === "invalid_request")));
    if (other.length) console.log("other answers:", JSON.stringify(other));
    return { accepted, refused, other: other.length };
  }

  it("20 concurrent creators on one instance never pass the cap", async () => {
    const stack = await startStack({ server: { secretKeys: [KEY], payouts: { php: { maxPerPayout: "1000.00", maxPerDay: CAP } } } });
    try {
      const counts = await hammer([stack]);
      printFigures("payout cap, one instance (SQLite), 20 in flight", { requests: 200, ...counts, cap: `${CAP} PHP`, "accepted total": `${(counts.accepted * 150).toFixed(2)} PHP` });
      expect(counts).toEqual({ accepted: FITS, refused: 200 - FITS, other: 0 });
    } finally {
      await stack.close();
    }
  });

  const url = process.env.DATABASE_URL;
  if (!url) console.warn("payout cap on PostgreSQL skipped: DATABASE_URL is not set");
  const schema = `payout_cap_${process.pid}_${Date.now().toString(36)}`;
  afterAll(async () => {
    if (!url) return;
    const { default: postgres } = await import("postgres");
    const admin = postgres(url, { max: 1, onnotice: () => {} });
    await admin.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end({ timeout: 5 });
  });

  it.skipIf(!url)("20 concurrent creators across two instances on one PostgreSQL never pass the cap", async () => {
    const stacks = [
      await startStack({ store: createPostgresStore({ url: url!, schema, max: 6 }), server: { secretKeys: [KEY], payouts: { php: { maxPerPayout: "1000.00", maxPerDay: CAP } } } }),
      await startStack({ store: createPostgresStore({ url: url!, schema, max: 6 }), server: { secretKeys: [KEY], payouts: { php: { maxPerPayout: "1000.00", maxPerDay: CAP } } } }),
    ];
    try {
      const counts = await hammer(stacks);
      printFigures("payout cap, two instances on PostgreSQL, 20 in flight", { requests: 200, ...counts, cap: `${CAP} PHP` });
      expect(counts).toEqual({ accepted: FITS, refused: 200 - FITS, other: 0 });
    } finally {
      for (const stack of stacks) await stack.close();
    }
  });
});
