/**
 * Where the store is and why it would not open, for `npm start` and the CLI alike: one line an
 * operator can act on, never a stack trace, and never DATABASE_URL itself, which may carry a
 * password. Imports nothing, so the CLI can say it without loading the database drivers.
 */

export interface StoreSettings {
  databaseUrl: string | undefined;
  sqliteFile: string;
}

/** Where the store is, for messages: host and database, not the URL. */
export function storeLocation(settings: StoreSettings): string {
  if (!settings.databaseUrl) return `SQLite ${settings.sqliteFile}`;
  try {
    const url = new URL(settings.databaseUrl);
    return `PostgreSQL at ${url.host}${url.pathname}`;
  } catch {
    return "PostgreSQL (DATABASE_URL)";
  }
}

// What an operator checks first, by the error's code (Node's socket codes, PostgreSQL's SQLSTATE).
const HINTS: [RegExp, (settings: StoreSettings) => string][] = [
  [/^(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN|CONNECT_TIMEOUT)$/, () => "is PostgreSQL running there, and are DATABASE_URL's host and port right?"],
  [/^(28P01|28000)$/, () => "check the user name and password in DATABASE_URL"],
  [/^3D000$/, () => "create the database first (createdb), or fix its name in DATABASE_URL"],
  [/^(EACCES|EPERM|EROFS)$/, (settings) => `this user cannot write ${settings.sqliteFile}: set CHECKOUT_SQLITE_FILE to a place it can, or use DATABASE_URL`],
];

/** `cannot open the store (<where>): <what went wrong>; <what to check>`, the password hidden. */
export function storeOpenProblem(error: unknown, settings: StoreSettings): string {
  // Node's connect to a host of several addresses fails with an AggregateError and no message.
  const inner = error instanceof AggregateError && error.errors.length > 0 && !error.message ? error.errors[0] : error;
  const code = (inner as { code?: unknown } | null)?.code;
  let message = (inner instanceof Error ? inner.message : String(inner)).replace(/\s*\n\s*/g, "; ").trim() || "unknown error";
  const password = passwordOf(settings.databaseUrl);
  if (password) message = message.split(password).join("***");
  const hint = typeof code === "string" ? HINTS.find(([codes]) => codes.test(code))?.[1](settings) : undefined;
  return `cannot open the store (${storeLocation(settings)}): ${message}${hint ? `; ${hint}` : ""}`;
}

function passwordOf(databaseUrl: string | undefined): string {
  if (!databaseUrl) return "";
  try {
    return decodeURIComponent(new URL(databaseUrl).password);
  } catch {
    return "";
  }
}
