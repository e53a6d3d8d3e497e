/**
 * The PostgreSQL store's schema, in one place: numbered migrations applied in order, each once, the
 * applied ones recorded in `schema_migrations` (of the store's schema). Migration 1 is the schema
 * from before numbering (IF NOT EXISTS, so a database made by an older version takes it as a no-op).
 */
import { SWEEP_WANTED_SQL } from "./rules.ts";
import type { Migration } from "./sqlite-schema.ts";

/** The migrations for the tables in schema `q` (already quoted). */
export function postgresMigrations(q: string): Migration[] {
  return [
    {
      version: 1,
      name: "orders and their status history",
      sql: `

CREATE TABLE IF NOT EXISTS ${q}.orders (
  id TEXT PRIMARY KEY,
  merchant_order_id TEXT NOT NULL UNIQUE,
  gateway_state TEXT NOT NULL,
  status TEXT NOT NULL,
  -- Money as the decimal strings the gateway uses: never a float, never rounded by us.
  amount TEXT NOT NULL,
  currency TEXT NOT NULL,
  country TEXT NOT NULL,
  payment TEXT NOT NULL,
  channel TEXT,
  final_amount TEXT,
  floating_amount TEXT,
  payment_url TEXT,
  product TEXT,
  customer TEXT,
  description TEXT,
  locale TEXT,
  origin TEXT,
  return_url TEXT,
  -- UNIQUE lets any number of NULLs through: orders without a key never collide.
  idempotency_key TEXT UNIQUE,
  request_hash TEXT,
  error_code TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  refreshed_at BIGINT,
  -- The sweep lease: who holds the order, and until when (epoch ms).
  sweep_owner TEXT,
  sweep_until BIGINT
);

CREATE INDEX IF NOT EXISTS orders_created_at ON ${q}.orders (created_at);
CREATE INDEX IF NOT EXISTS orders_sweep ON ${q}.orders (refreshed_at NULLS FIRST, created_at) WHERE ${SWEEP_WANTED_SQL};

CREATE TABLE IF NOT EXISTS ${q}.order_status_changes (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  order_id TEXT NOT NULL REFERENCES ${q}.orders (id),
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  source TEXT NOT NULL,
  at BIGINT NOT NULL
);

CREATE INDEX IF NOT EXISTS order_status_changes_order ON ${q}.order_status_changes (order_id, seq);
`,
    },
    {
      version: 2,
      name: "merchant API: sessions, order metadata, events and webhook deliveries",
      sql: `
ALTER TABLE ${q}.orders ADD COLUMN IF NOT EXISTS session_id TEXT;
ALTER TABLE ${q}.orders ADD COLUMN IF NOT EXISTS metadata TEXT;
ALTER TABLE ${q}.orders ADD COLUMN IF NOT EXISTS payment_uid TEXT;
ALTER TABLE ${q}.orders ADD COLUMN IF NOT EXISTS payment_fail_reason TEXT;
CREATE INDEX IF NOT EXISTS orders_session ON ${q}.orders (session_id, created_at) WHERE session_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS orders_customer ON ${q}.orders (customer, created_at) WHERE customer IS NOT NULL;
CREATE INDEX IF NOT EXISTS orders_status ON ${q}.orders (status, created_at);

CREATE TABLE IF NOT EXISTS ${q}.sessions (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL,
  amount TEXT NOT NULL,
  currency TEXT NOT NULL,
  country TEXT,
  payment TEXT,
  customer TEXT,
  description TEXT,
  metadata TEXT NOT NULL,
  return_url TEXT,
  order_id TEXT,
  idempotency_key TEXT UNIQUE,
  request_hash TEXT,
  created_by TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);

-- The outbox: one row per event, written in the transaction of the change it describes.
CREATE TABLE IF NOT EXISTS ${q}.events (
  seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  object_id TEXT NOT NULL,
  data TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_object ON ${q}.events (object_id, seq);

CREATE TABLE IF NOT EXISTS ${q}.deliveries (
  id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  event_id TEXT NOT NULL REFERENCES ${q}.events (id),
  event_seq BIGINT NOT NULL,
  object_id TEXT NOT NULL,
  endpoint TEXT NOT NULL,
  status TEXT NOT NULL,
  attempts TEXT NOT NULL DEFAULT '[]',
  attempt_count INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT,
  lease_owner TEXT,
  lease_until BIGINT,
  UNIQUE (event_id, endpoint)
);
CREATE INDEX IF NOT EXISTS deliveries_due ON ${q}.deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS deliveries_queue ON ${q}.deliveries (endpoint, object_id, event_seq) WHERE status = 'pending';

CREATE TABLE IF NOT EXISTS ${q}.disabled_endpoints (
  name TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  reason TEXT NOT NULL,
  at BIGINT NOT NULL
);
`,
    },
    {
      version: 3,
      name: "payouts: expense orders beside checkouts, and the day's total per currency",
      sql: `
ALTER TABLE ${q}.orders ADD COLUMN IF NOT EXISTS kind TEXT NOT NULL DEFAULT 'checkout';
ALTER TABLE ${q}.orders ADD COLUMN IF NOT EXISTS payee_account TEXT;
ALTER TABLE ${q}.orders ADD COLUMN IF NOT EXISTS payee_name TEXT;
ALTER TABLE ${q}.orders ADD COLUMN IF NOT EXISTS payee_bank TEXT;
ALTER TABLE ${q}.orders ADD COLUMN IF NOT EXISTS accounting_type TEXT;
ALTER TABLE ${q}.orders ADD COLUMN IF NOT EXISTS created_by TEXT;
CREATE INDEX IF NOT EXISTS orders_kind ON ${q}.orders (kind, created_at);

CREATE TABLE IF NOT EXISTS ${q}.payout_day_totals (
  day TEXT NOT NULL,
  currency TEXT NOT NULL,
  total_minor BIGINT NOT NULL,
  PRIMARY KEY (day, currency)
);
`,
    },
    {
      version: 4,
      name: "the create limit shared by every instance (rate-limiter-flexible's table)",
      // The layout RateLimiterPostgres writes (it inserts positionally: key, points, expire in
      // epoch ms). Rows of windows that ended over an hour ago are deleted by the limiter every
      // five minutes; the index keeps that delete from reading the whole table. UNLOGGED: every
      // create writes here, and without the WAL a write commits with no disk flush; a crash of
      // the database empties the table, which costs at most one extra window of creates.
      sql: `
CREATE UNLOGGED TABLE IF NOT EXISTS ${q}.rate_limits (
  key VARCHAR(255) PRIMARY KEY,
  points INTEGER NOT NULL DEFAULT 0,
  expire BIGINT
);
CREATE INDEX IF NOT EXISTS rate_limits_expire ON ${q}.rate_limits (expire);
`,
    },
    {
      version: 5,
      name: "fewer index entries per create: orders_created_at gone, a status change keyed by its order",
      // An UPDATE that changes an indexed column (a create's answer changes status and refreshed_at)
      // cannot be HOT, so it adds an entry to every index of orders, not only to those it changes:
      // an index on orders costs a create two entries. orders_created_at served no query of the
      // server (the merchant API lists by kind; \`recent\` reads orders_kind one kind at a time).
      // order_status_changes had a primary key on seq that no query reads beside an index on
      // (order_id, seq) that every history read uses: that index is now the primary key.
      sql: `
DROP INDEX IF EXISTS ${q}.orders_created_at;
ALTER TABLE ${q}.order_status_changes DROP CONSTRAINT IF EXISTS order_status_changes_pkey;
ALTER TABLE ${q}.order_status_changes ADD PRIMARY KEY (order_id, seq);
DROP INDEX IF EXISTS ${q}.order_status_changes_order;
`,
    },
    {
      version: 6,
      name: "a status change's reference to its order kept by the writer, not checked by a trigger",
      // The foreign key's check ran, for every status change, a query of its own through SPI and
      // locked the order's row FOR KEY SHARE, a lock written to the WAL, on the row the same
      // statement had just updated. Its guarantee holds without it: a change is only ever
      // inserted from the UPDATE of its order (answerInOneStatement takes its row from the
      // UPDATE's RETURNING; writeTransition inserts after updating the row it holds locked), in
      // the same transaction, and no code deletes orders. Measured with the WAL (pg_waldump): one
      // Heap/LOCK record per create gone, of about 3.5 kB a create writes.
      sql: `
ALTER TABLE ${q}.order_status_changes DROP CONSTRAINT IF EXISTS order_status_changes_order_id_fkey;
`,
    },
  ];
}
