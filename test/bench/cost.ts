/**
 * Cost per request: our server against a minimal create/read app (minimal-app.ts), in the same run,
 * alternating, against one standalone sandbox at 0 ms (cost-sandbox-process.ts), on the same store
 * kind: a SQLite file, then PostgreSQL when DATABASE_URL is set. Each app in a process of its own
 * (ours: cost-server-process.ts), idle while the other is loaded; autocannon runs here.
 *
 *   create: POST /api/checkout as the widget sends it (JSON, the shop's Origin, a fresh
 *           Idempotency-Key) against the minimal POST /orders;
 *   read:   GET /api/checkout/:id (what the widget polls) against the minimal GET /orders/:id.
 *
 * Throughput (2xx answers per second) and CPU per answered request of each app's process, summed
 * over the rounds, and beside it the CPU of the processes that serve each request with it (the
 * sandbox, PostgreSQL's on this machine, the load generator), since on shared cores throughput
 * follows the sum; each app first warmed up by the same time under the same load (V8 compiles
 * a server's code over its first thousands of requests; the rounds price it afterwards). Our
 * server runs with no webhook endpoint for the comparison; on SQLite the same server with one
 * endpoint (sandbox mode's default: `npm start` subscribes the demo's own) is a
 * third contender, to show what that endpoint costs a create. On PostgreSQL, transactions and
 * round trips per create and per read are counted on the wire (test/support/pg-wire-count.ts), in a run of
 * their own, one request at a time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import autocannon, { type Request } from "autocannon";
import postgres from "postgres";
import { SHOP } from "../support/stack.ts";
import { startChild, type Child, type ChildStats } from "./child.ts";
import { isLocalDatabase, ownCpuMicros, postgresCpuMicros } from "./machine-cpu.ts";
import { startPgWireCounter, type WireCounts } from "../support/pg-wire-count.ts";
import { percentile } from "./stats.ts";
import { fmt, type Row } from "./table.ts";

// BENCH_COST_ROUNDS and BENCH_COST_SECONDS shorten a trial run; the report uses the defaults.
// Six rounds: with three, one round's luck moved PostgreSQL's create ratio by 0.1 (runs of the same
// code an hour apart read 0.67x, 0.73x and 0.81x); six also lets each of two or three contenders
// lead equally often.
const ROUNDS = Number(process.env.BENCH_COST_ROUNDS ?? 6);
const SECONDS = Number(process.env.BENCH_COST_SECONDS ?? 4);
const ID_MIX = 200;
const COUNTED = 100;
const CONNECTIONS = 20;
// Each app's warm-up before the rounds: WARM_SECONDS of creates, then of reads, in runs of
// WARM_RUN_SECONDS (each run's CPU per request is kept for the note). BENCH_COST_WARM_SECONDS
// shortens it for a trial run.
const WARM_SECONDS = { create: Number(process.env.BENCH_COST_WARM_SECONDS ?? 15), read: Number(process.env.BENCH_COST_WARM_SECONDS ?? 15) / 3 };
const WARM_RUN_SECONDS = 2.5;
// BENCH_COST_STORES=postgres (or sqlite) compares on that store only: the PostgreSQL rows in about
// two minutes instead of five, for trying a change to the PostgreSQL store. The report uses both.
const STORES = ["sqlite", "postgres"] as const;
function chosenStores(): Set<string> {
  const stores = new Set((process.env.BENCH_COST_STORES ?? STORES.join(",")).split(",").map((store) => store.trim().toLowerCase()));
  for (const store of stores) if (!(STORES as readonly string[]).includes(store)) throw new Error(`BENCH_COST_STORES: "${store}" is not one of ${STORES.join(", ")}`);
  return stores;
}

interface Run {
  ok: number;
  bad: number;
  seconds: number;
  p50: number;
}

/**
 * A fixed number of requests, 20 at a time, rather than a fixed time: every request sent is
 * answered before the CPU is read again, so no request is half in a run (a timed run ends with 20
 * in flight, whose CPU would count without their answers).
 *
 * The run's time ends at its last answer, not when autocannon resolves: with `amount`, autocannon
 * finishes on its next once-a-second tick, so timing the promise rounded every run up to whole
 * seconds, and throughput ratios came out as ratios of small integers (0.50×, 0.67×, 1.00×) whatever
 * the apps did. Seen when one connection gave 199 req/s at a median of 4.0 ms a request.
 */
async function load(url: string, requests: Request[], amount: number): Promise<Run> {
  const times: number[] = [];
  const instance = autocannon({ url, connections: CONNECTIONS, amount, requests, timeout: 30 });
  const started = performance.now();
  let lastAnswer = started;
  instance.on("response", (_client: unknown, status: number, _bytes: number, responseTime: number) => {
    lastAnswer = performance.now();
    if (status >= 200 && status < 300) times.push(responseTime);
  });
  const result = await instance;
  const seconds = (lastAnswer - started) / 1000;
  times.sort((a, b) => a - b);
  return { ok: times.length, bad: result.non2xx + result.errors, seconds, p50: percentile(times, 50) };
}

/** The goals of issue 12: ours against the minimal app. */
const GOALS = {
  create: { throughput: 0.8, cpu: 1.5 },
  read: { throughput: 0.5, cpu: 2 },
  postgres: { transactions: 2, roundTrips: 3 },
} as const;

const ORDER_BODY = JSON.stringify({ amount: "100.00", currency: "php", country: "PH", payment: "gcash" });

type Name = "minimal" | "ours" | "hooked";
interface App {
  name: Name;
  child: Child;
  create(run: string, ids?: string[]): Request[];
  read(ids: string[]): Request[];
  ids: string[];
}

let keys = 0;
function oursCreate(run: string, ids?: string[]): Request[] {
  return [
    {
      method: "POST",
      path: "/api/checkout",
      body: ORDER_BODY,
      setupRequest: (request) => ({ ...request, headers: { "Content-Type": "application/json", Origin: SHOP, "Idempotency-Key": `cost-${run}-${++keys}` } }),
      ...(ids ? { onResponse: (status: number, body: string) => void (status === 201 && ids.length < ID_MIX && ids.push((JSON.parse(body) as { id: string }).id)) } : {}),
    },
  ];
}
function minimalCreate(_run: string, ids?: string[]): Request[] {
  return [
    {
      method: "POST",
      path: "/orders",
      body: ORDER_BODY,
      headers: { "Content-Type": "application/json" },
      ...(ids ? { onResponse: (status: number, body: string) => void (status === 201 && ids.length < ID_MIX && ids.push((JSON.parse(body) as { id: string }).id)) } : {}),
    },
  ];
}
const reader = (prefix: string, headers: Record<string, string>) => (ids: string[]): Request[] => {
  let next = 0;
  return [{ method: "GET", headers, setupRequest: (request) => ({ ...request, path: `${prefix}${ids[next++ % ids.length]}` }) }];
};

interface Tally {
  ok: number;
  seconds: number;
  cpuMicros: number;
  bad: number;
  p50s: number[];
  perRound: { perSecond: number; cpuMs: number }[];
  logLines: number;
  /** CPU beside the app's process over the runs, µs. */
  beside: Beside;
}

/** CPU outside the app's process (see machine-cpu.ts), µs: PostgreSQL's (null when not read), the sandbox's, the load generator's. */
interface Beside {
  postgres: number | null;
  sandbox: number;
  load: number;
}
const tally = (): Tally => ({ ok: 0, seconds: 0, cpuMicros: 0, bad: 0, p50s: [], perRound: [], logLines: 0, beside: { postgres: 0, sandbox: 0, load: 0 } });

function add(into: Tally, run: Run, before: ChildStats, after: ChildStats, beside: { before: Beside; after: Beside }): void {
  const postgres = beside.before.postgres === null || beside.after.postgres === null || into.beside.postgres === null ? null : beside.after.postgres - beside.before.postgres;
  into.beside = {
    postgres: postgres === null ? null : into.beside.postgres! + postgres,
    sandbox: into.beside.sandbox + beside.after.sandbox - beside.before.sandbox,
    load: into.beside.load + beside.after.load - beside.before.load,
  };
  const cpu = after.cpuMicros - before.cpuMicros;
  into.ok += run.ok;
  into.seconds += run.seconds;
  into.cpuMicros += cpu;
  into.bad += run.bad;
  into.p50s.push(run.p50);
  into.perRound.push({ perSecond: run.ok / run.seconds, cpuMs: cpu / 1000 / Math.max(1, run.ok) });
  into.logLines += (after.logLines ?? 0) - (before.logLines ?? 0);
}

const perSecond = (t: Tally) => t.ok / Math.max(1e-9, t.seconds);
const cpuMs = (t: Tally) => t.cpuMicros / 1000 / Math.max(1, t.ok);
const pass = (ok: boolean) => (ok ? "PASS" : "FAIL");
async function drained(receiver: Child, distinct: number): Promise<void> {
  const started = performance.now();
  for (;;) {
    const answer = (await receiver.ask({ cmd: "count" })) as unknown as { distinct: number };
    if (answer.distinct >= distinct) return;
    if (performance.now() - started > 60_000) throw new Error(`the endpoint got ${answer.distinct} of ${distinct} order.created within 60 s`);
    await new Promise((done) => setTimeout(done, 5));
  }
}

/** A tally's CPU per answered request, µs, in each process that serves it, and the sum. */
function machineCpu(t: Tally): { line: string; total: number } {
  const per = (micros: number) => micros / Math.max(1, t.ok);
  const total = per(t.cpuMicros + (t.beside.postgres ?? 0) + t.beside.sandbox + t.beside.load);
  const parts = [`app ${fmt(per(t.cpuMicros), 0)}`, ...(t.beside.postgres === null ? [] : [`PostgreSQL ${fmt(per(t.beside.postgres), 0)}`]), `sandbox ${fmt(per(t.beside.sandbox), 0)}`, `load generator ${fmt(per(t.beside.load), 0)}`];
  return { line: `${parts.join(", ")}, ${fmt(total, 0)} in all`, total };
}

/**
 * One store kind: every contender's creates, then reads, ROUNDS times, the order rotating each
 * round. `readPostgres`: PostgreSQL runs on this machine, so its processes' CPU is read beside the
 * apps' (machine-cpu.ts).
 */
async function compare(kind: string, storeEnv: () => Record<string, string>, sandbox: Child, receiver: Child | null, readPostgres = false): Promise<Row[]> {
  const base = { BENCH_GATEWAY_URL: sandbox.url };
  const apps: App[] = [];
  const start = async (name: Name, file: string, env: Record<string, string>) => {
    const child = await startChild(file, { ...base, ...storeEnv(), ...env });
    const ours = name !== "minimal";
    apps.push({ name, child, create: ours ? oursCreate : minimalCreate, read: ours ? reader("/api/checkout/", { Origin: SHOP }) : reader("/orders/", {}), ids: [] });
  };
  let hookedCreated = 0;
  try {
    await start("minimal", "./minimal-app.ts", {});
    // Reads that never go on to the gateway: the minimal read does not either (the row says how often ours would).
    await start("ours", "./cost-server-process.ts", { BENCH_REFRESH_SECONDS: "300" });
    if (receiver) await start("hooked", "./cost-server-process.ts", { BENCH_REFRESH_SECONDS: "300", BENCH_WEBHOOK_URL: receiver.url });
    const creates = new Map<Name, Tally>(apps.map((app) => [app.name, tally()]));
    const reads = new Map<Name, Tally>(apps.map((app) => [app.name, tally()]));

    // A run is a number of requests: about SECONDS s' worth at the rate the app's warm-up reached.
    const amounts = new Map<string, number>();
    const amount = (app: App, what: string) => amounts.get(`${app.name} ${what}`) ?? 100;
    const warmups = new Map<string, { first: number; last: number }>();
    const besideNow = async (): Promise<Beside> => ({ postgres: readPostgres ? postgresCpuMicros() : null, sandbox: (await sandbox.stats()).cpuMicros, load: ownCpuMicros() });
    /** One run of `requests` creates or reads and the app's stats either side; `ids` collects the orders created. */
    const runOnce = async (app: App, what: "create" | "read", requests: number, ids?: string[]) => {
      if (what === "create") await sandbox.ask({ cmd: "reset" });
      const besideBefore = await besideNow();
      const before = await app.child.stats();
      const run = await load(app.child.url, what === "create" ? app.create(app.name, ids) : app.read(app.ids), requests);
      if (what === "create" && app.name === "hooked") {
        // Its order.created webhooks are part of what its creates cost: wait for them, count their CPU.
        hookedCreated += run.ok;
        await drained(receiver!, hookedCreated);
      }
      const after = await app.child.stats();
      return { run, before, after, beside: { before: besideBefore, after: await besideNow() } };
    };
    /** The rate `run` reached, as the requests of a later run of about SECONDS s. */
    const rememberRate = (app: App, what: "create" | "read", run: Run) =>
      amounts.set(`${app.name} ${what}`, Math.max(what === "create" ? 100 : 200, Math.round((run.ok / run.seconds) * SECONDS)));
    const measuredRun = async (app: App, what: "create" | "read") => {
      const { run, before, after, beside } = await runOnce(app, what, amount(app, what));
      add((what === "create" ? creates : reads).get(app.name)!, run, before, after, beside);
    };
    /**
     * A first run finds the app's rate (and, of creates, makes the orders the reads read); then
     * load for a fixed time, so that the rounds price the app as it serves all day, not V8
     * compiling it: our server has several times the minimal app's code, and under load took
     * 10–15 s (some 6,000 creates) to settle at its steady cost, 1.5–2× that cost in its first
     * seconds, where the minimal app settles within a few. Both get the same time.
     */
    const warm = async (app: App, what: "create" | "read") => {
      const first = await runOnce(app, what, what === "create" ? ID_MIX * 2 : 1_000, what === "create" ? app.ids : undefined);
      if (what === "create" && app.ids.length < ID_MIX) throw new Error(`${app.name}: the warm-up made ${app.ids.length} orders, not ${ID_MIX}`);
      rememberRate(app, what, first.run);
      const started = performance.now();
      const cpus: number[] = [];
      while ((performance.now() - started) / 1000 < WARM_SECONDS[what]) {
        const { run, before, after } = await runOnce(app, what, Math.max(100, Math.round((amount(app, what) / SECONDS) * WARM_RUN_SECONDS)));
        cpus.push((after.cpuMicros - before.cpuMicros) / 1000 / Math.max(1, run.ok));
        rememberRate(app, what, run);
      }
      warmups.set(`${app.name} ${what}`, { first: cpus[0]!, last: cpus.at(-1)! });
    };

    for (const app of apps) {
      await warm(app, "create");
      await warm(app, "read");
    }
    for (let round = 0; round < ROUNDS; round++) {
      // Each round starts with another app, so none is always first (or always after the same one).
      const order = apps.map((_, index) => apps[(index + round) % apps.length]!);
      for (const app of order) await measuredRun(app, "create");
      for (const app of order.filter((app) => app.name !== "hooked")) await measuredRun(app, "read");
    }

    // Store calls per create, exactly: COUNTED creates one at a time (and, with an endpoint, their webhooks sent).
    const calls = new Map<Name, Record<string, number>>();
    for (const app of apps.filter((app) => app.name !== "minimal")) {
      const before = await app.child.stats();
      for (let i = 0; i < COUNTED; i++) {
        const response = await fetch(`${app.child.url}/api/checkout`, { method: "POST", headers: { "Content-Type": "application/json", Origin: SHOP, "Idempotency-Key": `calls-${++keys}` }, body: ORDER_BODY });
        await response.text();
        if (response.status !== 201) throw new Error(`${app.name}: create answered ${response.status}`);
      }
      if (app.name === "hooked") await drained(receiver!, (hookedCreated += COUNTED));
      const after = await app.child.stats();
      const per: Record<string, number> = {};
      for (const [name, n] of Object.entries(after.storeCalls ?? {})) per[name] = (n - (before.storeCalls?.[name] ?? 0)) / COUNTED;
      calls.set(app.name, per);
    }
    const storeLine = (name: Name) => {
      const per = calls.get(name) ?? {};
      const parts = Object.entries(per)
        .filter(([, n]) => n > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([method, n]) => `${method} ${fmt(n, 2)}`);
      return `${fmt(Object.values(per).reduce((sum, n) => sum + n, 0), 2)} store calls per create (${parts.join(", ")}; ${COUNTED} creates one at a time)`;
    };

    const rows: Row[] = [];
    const setting = `${kind}, 20 connections, ${ROUNDS} rounds of about ${SECONDS} s each, alternating, one standalone sandbox at 0 ms`;
    for (const [what, tallies, goal, ours, minimal] of [
      ["create", creates, GOALS.create, "POST /api/checkout", "POST /orders (zod, INSERT, HMAC with node:crypto, order/new, UPDATE)"],
      ["read", reads, GOALS.read, "GET /api/checkout/:id", "GET /orders/:id (one SELECT)"],
    ] as const) {
      const a = tallies.get("ours")!;
      const m = tallies.get("minimal")!;
      const throughput = perSecond(a) / perSecond(m);
      const cpu = cpuMs(a) / cpuMs(m);
      const [oursCpu, minimalCpu] = [machineCpu(a), machineCpu(m)];
      const roundRatios = a.perRound.map((r, i) => r.perSecond / m.perRound[i]!.perSecond);
      const rounds = a.perRound.map((r, i) => `${fmt(roundRatios[i]!, 2)}×/${fmt(r.cpuMs / m.perRound[i]!.cpuMs, 2)}×`).join(", ");
      rows.push({
        what: `cost per ${what}: ours ÷ the minimal app's (${setting})`,
        figure: `${fmt(throughput, 2)}× throughput (rounds ${fmt(Math.min(...roundRatios), 2)}–${fmt(Math.max(...roundRatios), 2)}×), ${fmt(cpu, 2)}× CPU per request`,
        note:
          `goals ≥ ${goal.throughput}× throughput: ${pass(throughput >= goal.throughput)}; ≤ ${goal.cpu}× CPU: ${pass(cpu <= goal.cpu)}. ` +
          `Ours, ${ours}: ${fmt(perSecond(a), 0)} req/s, ${fmt(cpuMs(a), 3)} ms CPU per request, p50 ${fmt(Math.min(...a.p50s))}–${fmt(Math.max(...a.p50s))} ms, ${what === "create" ? `${storeLine("ours")}, ` : ""}${fmt(a.logLines / Math.max(1, a.ok), 1)} log lines per request${a.bad ? `, ${a.bad} NOT 2xx` : ""}; ` +
          `minimal, ${minimal}: ${fmt(perSecond(m), 0)} req/s, ${fmt(cpuMs(m), 3)} ms CPU per request, p50 ${fmt(Math.min(...m.p50s))}–${fmt(Math.max(...m.p50s))} ms${m.bad ? `, ${m.bad} NOT 2xx` : ""}; ` +
          `per round (throughput/CPU): ${rounds}; ` +
          `CPU per request across the machine, µs, as the OS counts each process: ours ${oursCpu.line}; minimal ${minimalCpu.line} (ratio of the sums ${fmt(minimalCpu.total / oursCpu.total, 2)}×, the throughput ratio the CPU alone allows on a machine where all of them share the cores); ` +
          `each app warmed up first by ${WARM_SECONDS[what]} s of ${what}s, its CPU per request in the first and last ${WARM_RUN_SECONDS} s of it: ${(["ours", "minimal"] as const).map((name) => { const w = warmups.get(`${name} ${what}`)!; return `${name} ${fmt(w.first, 3)} → ${fmt(w.last, 3)} ms`; }).join(", ")}. ` +
          (what === "create"
            ? "Ours without a webhook endpoint; the sandbox's CPU is in neither process" +
              (kind.startsWith("SQLite")
                ? ". Ours commits the writes of one event-loop turn in one transaction (group commit: one fsync for all of them, each answered only once on disk); the minimal app commits each statement alone"
                : "")
            : `${ID_MIX} orders each, read in turn; ours with refreshAfterSeconds raised so that no read goes on to the gateway (by default an order still open is re-read from the gateway at most once per 5 s, see the GET row above)`),
      });
    }
    const hooked = creates.get("hooked");
    if (hooked) {
      const plain = creates.get("ours")!;
      rows.push({
        what: `POST /api/checkout with one webhook endpoint ÷ without (${setting})`,
        figure: `${fmt(cpuMs(hooked) / cpuMs(plain), 2)}× CPU per create, ${fmt(perSecond(hooked) / perSecond(plain), 2)}× throughput`,
        note: `sandbox mode subscribes the demo's own endpoint by default (npm start): each create then also writes order.created's delivery row, claims it, sends it signed and records the attempt. With: ${fmt(perSecond(hooked), 0)} req/s, ${fmt(cpuMs(hooked), 3)} ms CPU per create (its webhook's sending included: each run waits until the endpoint has them all), ${storeLine("hooked")}; without: ${fmt(perSecond(plain), 0)} req/s, ${fmt(cpuMs(plain), 3)} ms, ${storeLine("ours")}`,
      });
    }
    return rows;
  } finally {
    for (const app of apps) await app.child.close();
  }
}

/** Transactions and round trips per request, read off the wire: one request at a time, after a warm-up. */
async function countOnWire(databaseUrl: string, sandbox: Child, schemas: { ours: string; minimal: string }): Promise<Row> {
  const counter = await startPgWireCounter(databaseUrl);
  const results: Record<"ours" | "minimal", { create: WireCounts; read: WireCounts }> = {} as never;
  try {
    for (const name of ["minimal", "ours"] as const) {
      const child = await startChild(name === "ours" ? "./cost-server-process.ts" : "./minimal-app.ts", {
        BENCH_GATEWAY_URL: sandbox.url,
        BENCH_DATABASE_URL: counter.url,
        BENCH_SCHEMA: schemas[name],
        BENCH_REFRESH_SECONDS: "300",
      });
      try {
        const ids: string[] = [];
        const create = async () => {
          const response = await fetch(`${child.url}${name === "ours" ? "/api/checkout" : "/orders"}`, {
            method: "POST",
            headers: { "Content-Type": "application/json", Origin: SHOP, "Idempotency-Key": `count-${++keys}` },
            body: ORDER_BODY,
          });
          const body = (await response.json()) as { id: string };
          if (response.status !== 201) throw new Error(`${name}: create answered ${response.status} ${JSON.stringify(body)}`);
          ids.push(body.id);
        };
        const read = async (id: string) => {
          const response = await fetch(`${child.url}${name === "ours" ? "/api/checkout/" : "/orders/"}${id}`, { headers: { Origin: SHOP } });
          await response.text();
          if (response.status !== 200) throw new Error(`${name}: read answered ${response.status}`);
        };
        for (let i = 0; i < 10; i++) await create();
        for (const id of ids) await read(id);
        const c0 = counter.counts();
        for (let i = 0; i < COUNTED; i++) await create();
        const c1 = counter.counts();
        for (const id of ids.slice(-COUNTED)) await read(id);
        const c2 = counter.counts();
        const per = (from: WireCounts, to: WireCounts): WireCounts => ({
          roundTrips: (to.roundTrips - from.roundTrips) / COUNTED,
          transactions: (to.transactions - from.transactions) / COUNTED,
          writeTransactions: (to.writeTransactions - from.writeTransactions) / COUNTED,
          statements: (to.statements - from.statements) / COUNTED,
          tableTransactions: (to.tableTransactions - from.tableTransactions) / COUNTED,
        });
        results[name] = { create: per(c0, c1), read: per(c1, c2) };
      } finally {
        await child.close();
      }
    }
  } finally {
    await counter.close();
  }
  const o = results.ours;
  const m = results.minimal;
  const line = (c: WireCounts) =>
    `${fmt(c.transactions, 2)} transactions (${fmt(c.writeTransactions, 2)} writing${c.tableTransactions ? `, ${fmt(c.tableTransactions, 2)} of them writing the shared create limit's rate_limits table` : ""}), ${fmt(c.roundTrips, 2)} round trips, ${fmt(c.statements, 2)} statements`;
  return {
    what: `PostgreSQL per POST /api/checkout, counted on the wire (${COUNTED} creates one at a time, after 10 not counted)`,
    figure: `${fmt(o.create.transactions, 2)} transactions, ${fmt(o.create.roundTrips, 2)} round trips`,
    note:
      `goals: at most ${GOALS.postgres.transactions} transactions: ${pass(o.create.transactions <= GOALS.postgres.transactions)}; at most ${GOALS.postgres.roundTrips} round trips: ${pass(o.create.roundTrips <= GOALS.postgres.roundTrips)}. ` +
      `Ours: create ${line(o.create)}; read ${line(o.read)}. The minimal app, counted the same way: create ${line(m.create)}; read ${line(m.read)}. ` +
      "A TCP proxy between each app and PostgreSQL reads the protocol: a round trip is each time the client sends after the server last spoke; a transaction, each return to idle (ReadyForQuery 'I') after a command; writing, when an INSERT, UPDATE or DELETE completed in it",
  };
}

export async function costRows(): Promise<Row[]> {
  const stores = chosenStores();
  const loadBefore = loadavg();
  const sandbox = await startChild("./cost-sandbox-process.ts");
  const receiver = await startChild("./receiver-process.ts");
  const dirs: string[] = [];
  const rows: Row[] = [];
  try {
    const sqlite = () => {
      const dir = mkdtempSync(join(tmpdir(), "octopus-cost-"));
      dirs.push(dir);
      return { BENCH_SQLITE_DIR: dir };
    };
    if (stores.has("sqlite")) rows.push(...(await compare("SQLite file, WAL, synchronous FULL", sqlite, sandbox, receiver)));
    const databaseUrl = process.env.DATABASE_URL;
    if (stores.has("postgres") && databaseUrl) {
      const schemas = { ours: `bench_cost_ours_${process.pid}`, minimal: `bench_cost_min_${process.pid}` };
      try {
        let n = 0;
        rows.push(...(await compare("PostgreSQL", () => ({ BENCH_DATABASE_URL: databaseUrl, BENCH_SCHEMA: `${n++ % 2 === 0 ? schemas.minimal : schemas.ours}` }), sandbox, null, isLocalDatabase(databaseUrl))));
        rows.push(await countOnWire(databaseUrl, sandbox, { ours: `${schemas.ours}_w`, minimal: `${schemas.minimal}_w` }));
      } finally {
        const sql = postgres(databaseUrl, { onnotice: () => {} });
        for (const schema of [schemas.ours, schemas.minimal, `${schemas.ours}_w`, `${schemas.minimal}_w`]) await sql.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await sql.end();
      }
    } else if (stores.has("postgres")) {
      rows.push({ what: "cost per create and read on PostgreSQL", figure: "not measured", note: "DATABASE_URL is not set: the PostgreSQL comparison and the wire counts need one" });
    }
  } finally {
    await receiver.close();
    await sandbox.close();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }
  const loadAfter = loadavg();
  rows.push({
    what: "machine load during the cost rows",
    figure: `${fmt(loadBefore[0]!, 2)} → ${fmt(loadAfter[0]!, 2)}`,
    note: `1-minute load average before and after (5-minute: ${fmt(loadBefore[1]!, 2)} → ${fmt(loadAfter[1]!, 2)}) on a machine shared with other work: compare the ratios, which come from runs side by side`,
  });
  return rows;
}
