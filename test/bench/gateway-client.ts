/**
 * Signing and the gateway client over loopback: the client against raw signed fetches, same
 * sandbox, same run.
 */
import { createSandboxGateway } from "../../demo/sandbox/gateway.ts";
import { createOctopusClient, loadNodeCrypto, signFields } from "../../server/gateway/index.ts";
import { JAVA_SAMPLE } from "../support/java-sample.ts";
import { loopbackFetch } from "../support/loopback-fetch.ts";
import { serve } from "../support/serve.ts";
import { timed } from "./stats.ts";
import { fmt, type Row } from "./table.ts";

export async function gatewayClientRows(): Promise<Row[]> {
  const rows: Row[] = [];
  const sample = { ...JAVA_SAMPLE };
  const signing = await timed(20_000, 1, () => signFields("API_SECRET", sample));
  rows.push({ what: `sign an order/new body (HMAC-SHA256, ${loadNodeCrypto() ? "node:crypto" : "Web Crypto"})`, figure: `${fmt(signing.perSecond / 1000)}k/s`, note: `p99 ${fmt(signing.p99 * 1000, 0)} µs` });

  const sandbox = createSandboxGateway({ notifyRetryDelaysMs: [], fetch: loopbackFetch });
  const served = await serve(sandbox.app);
  const client = createOctopusClient({ baseUrl: served.url, apiKey: "sandbox-key", apiSecret: "sandbox-secret", merchantUid: "sandbox-merchant" });
  const order = (i: number, prefix: string) => ({
    transaction_type: "income" as const,
    amount: "100.00",
    currency: "php" as const,
    payment: "gcash",
    country: "PH",
    merchant_order_id: `${prefix}-${i}`,
  });
  const N = 1_000;
  const rawCreate = async (i: number) => {
    const body = { ...order(i, "raw"), merchant_uid: "sandbox-merchant", response_type: "json" };
    const response = await fetch(`${served.url}/octopus/api/order/new`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "OC-Key": "sandbox-key", "OC-Signature": await signFields("sandbox-secret", body) },
      body: JSON.stringify(body),
    });
    await response.json();
  };
  try {
    // Warm both paths (JIT, connection pool) before measuring either, so that order does not decide.
    await timed(200, 20, (i) => rawCreate(N + i));
    await timed(200, 20, (i) => client.createOrder(order(N + i, "client")));
    const raw = await timed(N, 20, rawCreate);
    const viaClient = await timed(N, 20, (i) => client.createOrder(order(i, "client")));
    rows.push({ what: `order/new, raw signed fetch (${N}, 20 at a time)`, figure: `${fmt(raw.perSecond, 0)}/s`, note: `p50 ${fmt(raw.p50)} ms, p99 ${fmt(raw.p99)} ms` });
    rows.push({
      what: `order/new through the client (${N}, 20 at a time)`,
      figure: `${fmt(viaClient.perSecond, 0)}/s`,
      note: `p50 ${fmt(viaClient.p50)} ms, p99 ${fmt(viaClient.p99)} ms; client/raw p50 ratio ${fmt(viaClient.p50 / raw.p50, 2)}`,
    });
    const gets = await timed(N, 20, (i) => client.getOrder(`client-${i}`));
    rows.push({ what: `order/get through the client (${N}, 20 at a time)`, figure: `${fmt(gets.perSecond, 0)}/s`, note: `p50 ${fmt(gets.p50)} ms, p99 ${fmt(gets.p99)} ms` });
  } finally {
    sandbox.close();
    await served.close();
  }
  return rows;
}
