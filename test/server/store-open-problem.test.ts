/**
 * Why the store would not open, in the one line `npm start` and the CLI print: where it is (never
 * DATABASE_URL, which may carry a password), what went wrong, and what to check first.
 */
import { describe, expect, it } from "vitest";
import { storeLocation, storeOpenProblem } from "../../server/store/open-problem.ts";

const postgres = { databaseUrl: "postgres://shop:p%40ss-w0rd@db.internal:5433/checkout", sqliteFile: "data/checkout.db" };
const sqlite = { databaseUrl: undefined, sqliteFile: "/var/lib/checkout/orders.db" };
const failure = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("storeOpenProblem", () => {
  it.each([
    [failure("connect ECONNREFUSED 10.0.0.5:5433", "ECONNREFUSED"), "is PostgreSQL running there, and are DATABASE_URL's host and port right?"],
    [failure("getaddrinfo ENOTFOUND db.internal", "ENOTFOUND"), "is PostgreSQL running there, and are DATABASE_URL's host and port right?"],
    [failure('password authentication failed for user "shop"', "28P01"), "check the user name and password in DATABASE_URL"],
    [failure('database "checkout" does not exist', "3D000"), "create the database first (createdb), or fix its name in DATABASE_URL"],
  ])("names PostgreSQL's host and database, the error, and what to check: %s", (error, hint) => {
    const line = storeOpenProblem(error, postgres);
    expect(line).toBe(`cannot open the store (PostgreSQL at db.internal:5433/checkout): ${error.message}; ${hint}`);
  });

  it("hides the password wherever the driver repeats it, and folds a message onto one line", () => {
    const line = storeOpenProblem(failure("could not connect with p@ss-w0rd\n  to db.internal", "XX000"), postgres);
    expect(line).toBe("cannot open the store (PostgreSQL at db.internal:5433/checkout): could not connect with ***; to db.internal");
  });

  it("looks into an AggregateError without a message, as Node's connect to several addresses fails", () => {
    const error = new AggregateError([failure("connect ECONNREFUSED ::1:5433", "ECONNREFUSED"), failure("connect ECONNREFUSED 127.0.0.1:5433", "ECONNREFUSED")]);
    expect(storeOpenProblem(error, postgres)).toContain("): connect ECONNREFUSED ::1:5433; is PostgreSQL running there");
  });

  it("says a SQLite file this user cannot write, and how to choose another", () => {
    const line = storeOpenProblem(failure("EACCES: permission denied, mkdir '/var/lib/checkout'", "EACCES"), sqlite);
    expect(line).toBe("cannot open the store (SQLite /var/lib/checkout/orders.db): EACCES: permission denied, mkdir '/var/lib/checkout'; this user cannot write /var/lib/checkout/orders.db: set CHECKOUT_SQLITE_FILE to a place it can, or use DATABASE_URL");
    expect(storeLocation(sqlite)).toBe("SQLite /var/lib/checkout/orders.db");
  });
});
