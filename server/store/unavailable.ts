/**
 * Tells a store that cannot be reached (PostgreSQL stopped, refusing or dropping connections,
 * restarting; SQLite locked by another writer past its busy timeout) from a store that answered
 * with an error. The first is an outage that passes: the server answers 503 with Retry-After, and a
 * load balancer or a shopper's retry does the right thing. The second is a bug: 500.
 *
 * Errors are told apart by their `code` only, never by their message: postgres.js and Node put the
 * code there (postgres.js passes a socket's error through as Node made it, and names its own
 * connection errors), and so does better-sqlite3 (SQLite's result code's name).
 */

/** Node's socket and name-resolution errors: the database's host or port cannot be reached. */
const SOCKET_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "ECONNRESET", "ECONNABORTED", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "EHOSTDOWN", "ENETUNREACH", "ENETDOWN", "ENOTFOUND", "EAI_AGAIN"]);

/** postgres.js's own connection errors (src/errors.js, `Errors.connection`). */
const POSTGRES_JS_CODES: ReadonlySet<string> = new Set(["CONNECT_TIMEOUT", "CONNECTION_CLOSED", "CONNECTION_ENDED", "CONNECTION_DESTROYED"]);

/**
 * PostgreSQL's SQLSTATEs for a server that is going away or cannot take us now: class 08
 * (connection exception), admin_shutdown, crash_shutdown, cannot_connect_now (starting up or in
 * recovery), too_many_connections. Not a constraint, syntax or serialization failure: those come
 * from a database that answered.
 */
const POSTGRES_STATES = /^(?:08[0-9A-Z]{3}|57P0[123]|53300)$/;

/** SQLite's BUSY and LOCKED, with their extended codes (SQLITE_BUSY_SNAPSHOT, SQLITE_LOCKED_SHAREDCACHE, …). */
const SQLITE_CODES = /^SQLITE_(?:BUSY|LOCKED)(?:_[A-Z_]+)?$/;

function isUnavailableCode(code: unknown): code is string {
  return typeof code === "string" && (SOCKET_CODES.has(code) || POSTGRES_JS_CODES.has(code) || POSTGRES_STATES.test(code) || SQLITE_CODES.test(code));
}

/**
 * The code that makes `error` a store outage ("ECONNREFUSED", "CONNECTION_CLOSED", "57P01",
 * "SQLITE_BUSY", …), or null when it is not one. An AggregateError (Node's connect to a host of
 * several addresses can fail with one) counts when one of its errors does. `cause` is not followed:
 * the gateway client's errors carry fetch's socket error there, and a gateway that refuses
 * connections is not a store outage.
 */
export function storeUnavailableCode(error: unknown): string | null {
  if (typeof error !== "object" || error === null) return null;
  const { code, errors } = error as { code?: unknown; errors?: unknown };
  if (isUnavailableCode(code)) return code;
  if (error instanceof AggregateError && Array.isArray(errors)) {
    for (const inner of errors) {
      const innerCode = (inner as { code?: unknown } | null)?.code;
      if (isUnavailableCode(innerCode)) return innerCode;
    }
  }
  return null;
}
