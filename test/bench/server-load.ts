/**
 * The checkout server under load (autocannon, programmatic), with the sandbox gateway answering at a
 * fixed latency: POST /api/checkout, GET /api/checkout/:id, and the sandbox's own order/new called
 * directly with signed requests under the same load, so that the server's added latency is a ratio
 * within the run. The server runs in a child process (stack-process.ts); autocannon runs here.
 * BENCH_PROF=<dir> writes a CPU profile of that child process (node --cpu-prof) into <dir>.
 */
import { fork, type ChildProcess } from "node:child_process";
import { createHmac } from "node:crypto";
import { fileURLToPath } from "node:url";
import autocannon, { type Request } from "autocannon";
import { canonicalString, signFields } from "../../server/gateway/index.ts";
import { SHOP } from "../support/stack.ts";
import { percentile } from "./stats.ts";
import { fmt, type Row } from "./table.ts";
import type { FromStack, ToStack } from "./stack-process.ts";

export const LATENCY_MS = 20;
const CONNECTIONS = 20;
const SECONDS = 10;
const WARM_SECONDS = 3;
const ID_MIX = 200;

export interface Load {
  perSecond: number;
  /** Latencies of the 2xx answers, sorted. */
  times: number[];
  ok: number;
  p50: number;
  p99: number;
  /** autocannon's own percentiles (whole milliseconds), for comparison. */
  cannonP50: number;
  cannonP99: number;
  non2xx: number;
  errors: number;
}

/** One autocannon run; latencies of 2xx answers kept at full precision from the response events. */
export async function load(url: string, requests: Request[], seconds: number): Promise<Load> {
  const times: number[] = [];
  const instance = autocannon({ url, connections: CONNECTIONS, duration: seconds, requests });
  instance.on("response", (_client: unknown, status: number, _bytes: number, responseTime: number) => {
    if (status >= 200 && status < 300) times.push(responseTime);
  });
  const result = await instance;
  times.sort((a, b) => a - b);
  return {
    perSecond: times.length / result.duration,
    times,
    ok: times.length,
    p50: percentile(times, 50),
    p99: percentile(times, 99),
    cannonP50: result.latency.p50,
    cannonP99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

export function startChild(env: Record<string, string> = {}): Promise<{ child: ChildProcess; url: string; gatewayUrl: string; ask(message: ToStack): Promise<FromStack> }> {
  const child = fork(fileURLToPath(new URL("./stack-process.ts", import.meta.url)), [], {
    cwd: fileURLToPath(new URL("../../", import.meta.url)),
    execArgv: ["--import", "tsx", ...(process.env.BENCH_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [])],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    env: { ...process.env, ...env },
  });
  const ask = (message: ToStack) =>
    new Promise<FromStack>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the bench's stack process exited (${code})`));
      child.once("exit", onExit);
      child.once("message", (answer) => {
        child.off("exit", onExit);
        resolve(answer as FromStack);
      });
      child.send(message);
    });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`the bench's stack process exited before it was ready (${code})`)));
    child.once("message", (message: FromStack) => {
      if (message.type !== "ready") return reject(new Error(`unexpected first message ${message.type}`));
      child.removeAllListeners("exit");
      resolve({ child, url: message.url, gatewayUrl: message.gatewayUrl, ask });
    });
  });
}

const health = (run: Load) => `${run.ok} answered 2xx${run.non2xx ? `, ${run.non2xx} NOT 2xx` : ""}${run.errors ? `, ${run.errors} ERRORS` : ""}`;
const latencies = (run: Load) => `p50 ${fmt(run.p50)} ms, p99 ${fmt(run.p99)} ms`;

export async function serverLoadRows(): Promise<Row[]> {
  const { child, url, gatewayUrl, ask } = await startChild();
  const stats = async () => {
    const answer = await ask({ cmd: "stats" });
    if (answer.type !== "stats") throw new Error(`expected stats, got ${answer.type}`);
    return answer;
  };
  try {
    await ask({ cmd: "latency", ms: LATENCY_MS });

    // POST /api/checkout as the widget sends it: JSON, the shop's Origin, a fresh Idempotency-Key each time.
    let created = 0;
    const createHeaders = { "Content-Type": "application/json", Origin: SHOP };
    const create = (run: string, ids?: string[]): Request[] => [
      {
        method: "POST",
        path: "/api/checkout",
        body: JSON.stringify({ amount: "100.00", currency: "php", country: "PH", payment: "gcash" }),
        setupRequest: (request) => ({ ...request, headers: { ...createHeaders, "Idempotency-Key": `bench-${run}-${++created}` } }),
        ...(ids
          ? {
              onResponse: (status: number, body: string) => {
                if (status === 201 && ids.length < ID_MIX) ids.push((JSON.parse(body) as { id: string }).id);
              },
            }
          : {}),
      },
    ];

    // Warm the create path first: its ids serve the reads' warm-up, its last gateway call the template below.
    const ids: string[] = [];
    const warmCreate = await load(url, create("warm", ids), WARM_SECONDS);
    // A slow disk (each commit waits for fsync) can leave the timed warm-up short of ids: top them up.
    if (ids.length < ID_MIX) await autocannon({ url, connections: CONNECTIONS, amount: ID_MIX - ids.length, requests: create("warm-more", ids) });
    const template = (await stats()).lastOrderNew;
    if (!template || ids.length < ID_MIX) throw new Error(`the warm-up made too few orders (${warmCreate.ok}, ${warmCreate.non2xx} not 2xx)`);
    // order/new straight at the sandbox: the body the server sends, with a fresh merchant_order_id,
    // signed as the server signs it (node:crypto here, synchronous for setupRequest; checked against signFields).
    const sign = (body: Record<string, string>) => createHmac("sha256", "sandbox-secret").update(canonicalString(body)).digest("hex");
    if (sign(template) !== (await signFields("sandbox-secret", template))) throw new Error("the bench's signing differs from signFields");
    let direct = 0;
    const orderNew = (run: string): Request[] => [
      {
        method: "POST",
        path: "/octopus/api/order/new",
        setupRequest: (request) => {
          const body = { ...template, merchant_order_id: `bench_${run}_${++direct}` };
          return { ...request, headers: { "Content-Type": "application/json", "OC-Key": "sandbox-key", "OC-Signature": sign(body) }, body: JSON.stringify(body) };
        },
      },
    ];
    let read = 0;
    const status: Request[] = [{ method: "GET", headers: { Origin: SHOP }, setupRequest: (request) => ({ ...request, path: `/api/checkout/${ids[read++ % ids.length]}` }) }];

    // Warm every path before measuring any (JIT, connection pools); each measured run then starts on
    // an empty sandbox (see stack-process.ts) and the id mix for the reads is made just before them.
    await load(gatewayUrl, orderNew("warm"), WARM_SECONDS);
    await load(url, status, 2);
    await ask({ cmd: "reset", latencyMs: LATENCY_MS });
    const s0 = await stats();
    const sandboxDirect = await load(gatewayUrl, orderNew("run"), SECONDS);
    const s1 = await stats();
    await ask({ cmd: "reset", latencyMs: LATENCY_MS });
    const s2 = await stats();
    const checkout = await load(url, create("run"), SECONDS);
    const s3 = await stats();
    ids.length = 0;
    await autocannon({ url, connections: CONNECTIONS, amount: ID_MIX, requests: create("ids", ids) });
    if (ids.length < ID_MIX) throw new Error(`made ${ids.length} orders for the reads, not ${ID_MIX}`);
    await load(url, status, 2);
    const s4 = await stats();
    const reads = await load(url, status, SECONDS);
    const s5 = await stats();

    type Stats = FromStack & { type: "stats" };
    const calls = (from: Stats, to: Stats, path: string) => (to.gatewayCalls[path] ?? 0) - (from.gatewayCalls[path] ?? 0);
    const cpu = (from: Stats, to: Stats) => `server process CPU ${fmt((100 * (to.cpuMicros - from.cpuMicros)) / 1000 / (to.at - from.at), 0)}% of one core`;
    /** Store calls per answered request, and the event loop's milliseconds inside them. */
    /**
     * Store calls per request, and for reads the time they held the event loop. A write's time is
     * not its call's: the SQLite store runs it later in the turn's group commit (one transaction and
     * one fsync for the writes of one event-loop turn), which this proxy does not see.
     */
    const storeUse = (from: Stats, to: Stats, run: Load, writes = false) => {
      let calls = 0;
      let ms = 0;
      for (const [name, entry] of Object.entries(to.store)) {
        calls += entry.calls - (from.store[name]?.calls ?? 0);
        ms += entry.ms - (from.store[name]?.ms ?? 0);
      }
      const perRequest = `${fmt(calls / Math.max(1, run.ok), 1)} store calls per request`;
      return writes ? `${perRequest}, its writes committed with the others of the same event-loop turn (group commit: one transaction, one fsync)` : `${perRequest} holding the event loop ${fmt(ms / Math.max(1, run.ok), 2)} ms in all`;
    };
    /** CPU milliseconds the server process spent per answered request. */
    const cpuPer = (from: Stats, to: Stats, run: Load) => (to.cpuMicros - from.cpuMicros) / 1000 / Math.max(1, run.ok);
    const problems = s5.problems.length ? `; the server logged problems, first: ${s5.problems[0]}` : "";
    const setting = `${CONNECTIONS} connections × ${SECONDS} s, sandbox at ${LATENCY_MS} ms`;
    const refreshed = calls(s4, s5, "order/get");
    return [
      {
        what: `POST /api/checkout (${setting})`,
        figure: `${fmt(checkout.perSecond, 0)} req/s`,
        note: `${latencies(checkout)}; ${health(checkout)}; ${cpu(s2, s3)} (it holds the sandbox too); ${storeUse(s2, s3, checkout, true)} (SQLite file, WAL, synchronous FULL: a commit waits for the disk); a fresh Idempotency-Key each, rate limit raised${problems}`,
      },
      {
        what: `GET /api/checkout/:id (${setting})`,
        figure: `${fmt(reads.perSecond, 0)} req/s`,
        note: `${latencies(reads)}; ${health(reads)}; ${cpu(s4, s5)}; ${storeUse(s4, s5, reads)}; ${ids.length} existing ids in turn; ${refreshed} reads (${fmt((100 * refreshed) / Math.max(1, reads.ok), 1)}%) went on to the gateway: an order is re-read only when older than refreshAfterSeconds (5 s, the default)`,
      },
      {
        what: `order/new at the sandbox directly, signed (${setting})`,
        figure: `${fmt(sandboxDirect.perSecond, 0)} req/s`,
        note: `${latencies(sandboxDirect)}; ${health(sandboxDirect)}; ${cpu(s0, s1)}; the body the server sends, a fresh merchant_order_id each; sandbox emptied before this run and before the POST run`,
      },
      {
        what: "server's added latency: p50 of POST /api/checkout ÷ p50 of order/new direct",
        figure: `${fmt(checkout.p50 / sandboxDirect.p50, 2)}×`,
        note: `+${fmt(checkout.p50 - sandboxDirect.p50)} ms at p50; p99 ratio ${fmt(checkout.p99 / sandboxDirect.p99, 2)}×; throughput ratio ${fmt(checkout.perSecond / sandboxDirect.perSecond, 2)}× (same connections, same run); CPU per request in the server's process: ${fmt(cpuPer(s2, s3, checkout), 2)} ms for a checkout (sandbox's part included) against ${fmt(cpuPer(s0, s1, sandboxDirect), 2)} ms for the sandbox's order/new alone`,
      },
    ];
  } finally {
    await stopChild(child, ask);
  }
}

/** Asks the stack process to close, and waits for it to exit. */
export async function stopChild(child: ChildProcess, ask: (message: ToStack) => Promise<FromStack>): Promise<void> {
  await ask({ cmd: "close" }).catch(() => undefined);
  if (child.connected) child.disconnect();
  // It exits by itself once closed; a socket left open (keep-alive) gets it a nudge after 3 s.
  if (child.exitCode === null && child.signalCode === null) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        child.kill();
        resolve();
      }, 3_000);
      child.once("exit", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}
