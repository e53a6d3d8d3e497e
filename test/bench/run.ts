/**
 * `npm run bench`: figures measured in one run on this machine, printed as one table and written to
 * docs/benchmarks.md. Loopback only, bounded in count. Compare ratios within a run, not across runs:
 * the machine is shared and noisy.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { gzipSync, brotliCompressSync } from "node:zlib";
import { readFileSync, existsSync } from "node:fs";
import { createSandboxGateway } from "../../demo/sandbox/gateway.ts";
import { createOctopusClient, signFields } from "../../server/gateway/index.ts";
import { loopbackFetch } from "../helpers/loopback-fetch.ts";
import { serve } from "../helpers/serve.ts";
import { JAVA_SAMPLE } from "../helpers/java-sample.ts";

interface Row {
  what: string;
  figure: string;
  note: string;
}
const rows: Row[] = [];

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function timed<T>(count: number, concurrency: number, run: (i: number) => Promise<T>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const t = performance.now();
        await run(i);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { perSecond: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

const fmt = (n: number, digits = 1) => n.toFixed(digits);

async function main() {
  // Signing
  const sample = { ...JAVA_SAMPLE };
  const signing = await timed(20_000, 1, () => signFields("API_SECRET", sample));
  rows.push({ what: "sign an order/new body (Web Crypto HMAC-SHA256)", figure: `${fmt(signing.perSecond / 1000)}k/s`, note: `p99 ${fmt(signing.p99 * 1000, 0)} µs` });

  // Gateway round trips over loopback: the client against raw signed fetches, same sandbox, same run.
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
  sandbox.close();
  await served.close();

  // Widget bundle, if built.
  const bundle = new URL("../../dist/widget/widget.js", import.meta.url);
  if (existsSync(bundle)) {
    const code = readFileSync(bundle);
    rows.push({
      what: "widget.js (minified / gzip / brotli)",
      figure: `${fmt(code.length / 1024, 2)} kB / ${fmt(gzipSync(code, { level: 9 }).length / 1024, 2)} kB / ${fmt(brotliCompressSync(code).length / 1024, 2)} kB`,
      note: "budget 12 kB gzip",
    });
  }

  const table = ["| measure | figure | note |", "|---|---|---|", ...rows.map((r) => `| ${r.what} | ${r.figure} | ${r.note} |`)].join("\n");
  const header = `# Benchmarks\n\nMeasured by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, one run on one machine (2 cores, shared). Compare ratios within the run.\n\n`;
  console.log(table);
  mkdirSync(new URL("../../docs/", import.meta.url), { recursive: true });
  writeFileSync(new URL("../../docs/benchmarks.md", import.meta.url), `${header}${table}\n`);
}

void main();
