/**
 * The yardstick of the cost bench: the least a create/read service on this stack can do, in a
 * process of its own. Hono on @hono/node-server (the framework our server runs on, so that the
 * ratio is what our code adds, not a framework choice):
 *
 *   POST /orders      zod validation, one INSERT, HMAC-SHA256 signing with node:crypto, the
 *                     gateway's order/new (global fetch, as our client), one UPDATE; 201 with JSON.
 *   GET /orders/:id   one SELECT; 200 with JSON.
 *
 * No idempotency, no rate limit, no CORS, no security headers, no logs: what our server does beyond
 * this is what the ratios price. The store is the same kind as our server's in the same run: a
 * SQLite file (WAL, synchronous FULL, so each commit waits for the disk as ours does) or, with
 * BENCH_DATABASE_URL, PostgreSQL through postgres.js in a schema of its own.
 */
import { createHmac, randomBytes } from "node:crypto";
import { join } from "node:path";
import { serve } from "@hono/node-server";
import Database from "better-sqlite3";
import { Hono } from "hono";
import postgres from "postgres";
import { z } from "zod";
import { cpuNow, type ChildMessage } from "./child.ts";

const send = (message: ChildMessage) => process.send!(message);
const env = (name: string) => process.env[name] ?? "";

const GATEWAY = env("BENCH_GATEWAY_URL");
const KEY = "sandbox-key";
const SECRET = "sandbox-secret";

const CreateBody = z.object({
  amount: z.string().regex(/^\d{1,9}(\.\d{1,2})?$/),
  currency: z.enum(["php", "thb", "vnd", "idr", "inr", "bdt", "brl"]),
  country: z.string().regex(/^[A-Z]{2}$/),
  payment: z.string().regex(/^[a-z0-9_]{1,32}$/),
});

interface MinimalStore {
  insert(row: { id: string; merchantOrderId: string; amount: string; currency: string; country: string; payment: string; at: number }): Promise<void>;
  update(id: string, paymentUrl: string, status: string, at: number): Promise<void>;
  get(id: string): Promise<Record<string, unknown> | undefined>;
  close(): Promise<void>;
}

const COLUMNS = "id TEXT PRIMARY KEY, merchant_order_id TEXT NOT NULL UNIQUE, amount TEXT NOT NULL, currency TEXT NOT NULL, country TEXT NOT NULL, payment TEXT NOT NULL, status TEXT NOT NULL, payment_url TEXT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL";

function sqliteStore(dir: string): MinimalStore {
  const db = new Database(join(dir, "minimal.sqlite"));
  db.pragma("journal_mode = WAL");
  // As the store does: better-sqlite3's build would otherwise drop WAL to NORMAL (no fsync per commit).
  db.pragma("synchronous = FULL");
  db.exec(`CREATE TABLE IF NOT EXISTS orders (${COLUMNS})`);
  const insert = db.prepare("INSERT INTO orders VALUES (@id, @merchantOrderId, @amount, @currency, @country, @payment, 'none', NULL, @at, @at)");
  const update = db.prepare("UPDATE orders SET payment_url = ?, status = ?, updated_at = ? WHERE id = ?");
  const get = db.prepare<[string], Record<string, unknown>>("SELECT * FROM orders WHERE id = ?");
  return {
    async insert(row) {
      insert.run(row);
    },
    async update(id, paymentUrl, status, at) {
      update.run(paymentUrl, status, at, id);
    },
    async get(id) {
      return get.get(id);
    },
    async close() {
      db.close();
    },
  };
}

async function postgresStore(url: string, schema: string): Promise<MinimalStore> {
  const sql = postgres(url, { max: 10, onnotice: () => {} });
  await sql.unsafe(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
  await sql.unsafe(`CREATE TABLE IF NOT EXISTS "${schema}".orders (${COLUMNS})`);
  const orders = sql(`${schema}.orders`);
  return {
    async insert(row) {
      await sql`INSERT INTO ${orders} VALUES (${row.id}, ${row.merchantOrderId}, ${row.amount}, ${row.currency}, ${row.country}, ${row.payment}, 'none', NULL, ${row.at}, ${row.at})`;
    },
    async update(id, paymentUrl, status, at) {
      await sql`UPDATE ${orders} SET payment_url = ${paymentUrl}, status = ${status}, updated_at = ${at} WHERE id = ${id}`;
    },
    async get(id) {
      const [row] = await sql`SELECT * FROM ${orders} WHERE id = ${id}`;
      return row;
    },
    async close() {
      await sql.end({ timeout: 5 });
    },
  };
}

const store = env("BENCH_DATABASE_URL") ? await postgresStore(env("BENCH_DATABASE_URL"), env("BENCH_SCHEMA")) : sqliteStore(env("BENCH_SQLITE_DIR"));

const sign = (fields: Record<string, string>) =>
  createHmac("sha256", SECRET)
    .update(
      Object.keys(fields)
        .sort()
        .map((key) => `${key}=${fields[key]}`)
        .join("&"),
    )
    .digest("hex");

let publicUrl = "";
const app = new Hono();
app.post("/orders", async (c) => {
  const parsed = CreateBody.safeParse(await c.req.json().catch(() => null));
  if (!parsed.success) return c.json({ error: parsed.error.issues[0]?.message ?? "invalid" }, 400);
  const body = parsed.data;
  const at = Date.now();
  const id = `mo_${randomBytes(12).toString("base64url")}`;
  const merchantOrderId = `min_${randomBytes(9).toString("hex")}`;
  await store.insert({ id, merchantOrderId, ...body, at });
  const fields: Record<string, string> = {
    merchant_uid: "sandbox-merchant",
    response_type: "json",
    transaction_type: "income",
    amount: body.amount,
    currency: body.currency,
    payment: body.payment,
    country: body.country,
    merchant_order_id: merchantOrderId,
    redirect_url: `${publicUrl}/return/${id}`,
    notify_url: `${publicUrl}/notify`,
  };
  const response = await fetch(`${GATEWAY}/octopus/api/order/new`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "OC-Key": KEY, "OC-Signature": sign(fields) },
    body: JSON.stringify(fields),
  });
  const answer = (await response.json()) as { result: string; data: { payment_url?: string; payment?: { payment_status?: string } } };
  if (answer.result !== "success" || !answer.data.payment_url) return c.json({ error: "gateway refused" }, 502);
  const status = answer.data.payment?.payment_status ?? "pending";
  await store.update(id, answer.data.payment_url, status, Date.now());
  return c.json({ id, status, payment_url: answer.data.payment_url }, 201);
});
app.get("/orders/:id", async (c) => {
  const row = await store.get(c.req.param("id"));
  if (!row) return c.json({ error: "not found" }, 404);
  return c.json({ id: row.id, status: row.status, amount: row.amount, currency: row.currency, payment_url: row.payment_url });
});

const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
  publicUrl = `http://127.0.0.1:${info.port}`;
  send({ type: "ready", url: publicUrl });
});

process.on("message", (message: { cmd: string }) => {
  if (message.cmd === "stats") send({ type: "stats", ...cpuNow() });
  else {
    if ("closeAllConnections" in server) server.closeAllConnections();
    server.close(() => {
      void store.close().then(() => {
        send({ type: "ok" });
        process.disconnect();
      });
    });
  }
});
