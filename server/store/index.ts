/**
 * Picks the order store from configuration: PostgreSQL when a postgres URL is given (several
 * server processes may share it), else SQLite in a local file (one process).
 */
import { closeSync, mkdirSync, openSync } from "node:fs";
import { dirname } from "node:path";
import { createPostgresStore } from "./postgres.ts";
import { createSqliteStore } from "./sqlite.ts";
import type { OrderStore } from "./types.ts";

export interface StoreConfig {
  /** DATABASE_URL, if any. Empty counts as unset. */
  databaseUrl?: string | undefined;
  /** The SQLite file used when there is no database URL; its directory is created if missing. */
  sqliteFile: string;
}

const POSTGRES_URL = /^postgres(?:ql)?:\/\//i;

/** Opens the store; call `migrate()` on it before use. */
export function createStore(config: StoreConfig): OrderStore {
  const url = config.databaseUrl;
  if (url) {
    // A URL for another database is a typo or a wrong deploy, not a wish for SQLite: refuse it
    // rather than quietly keep orders in a local file nobody else sees.
    if (!POSTGRES_URL.test(url)) throw new Error("DATABASE_URL must start with postgres:// or postgresql://");
    return createPostgresStore({ url });
  }
  if (config.sqliteFile !== ":memory:") {
    // Orders hold shoppers' member ids and the gateway's answers: readable by this user only.
    // Directories and the file are created so (an existing one keeps its mode); SQLite gives its
    // -wal and -shm files the database file's mode.
    mkdirSync(dirname(config.sqliteFile), { recursive: true, mode: 0o700 });
    closeSync(openSync(config.sqliteFile, "a", 0o600));
  }
  return createSqliteStore({ filename: config.sqliteFile });
}

export { createPostgresStore, type PostgresStoreConfig } from "./postgres.ts";
export { createSqliteStore, type SqliteStoreConfig } from "./sqlite.ts";
export * from "./types.ts";
