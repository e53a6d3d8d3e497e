/**
 * A checkout server of one test's own, beside a stack's or without one: another config, a store
 * that fails, a widget bundle. `createCheckoutServer` may start a sweep timer and a webhook
 * dispatcher loop (and the caller owns the store): made here, all of it is closed when the test
 * ends (`onTestFinished`, so call it inside a test). Several suites built such servers and left
 * them open.
 */
import { onTestFinished } from "vitest";
import { createCheckoutServer, type CheckoutServer, type CheckoutServerOptions } from "../../server/app.ts";
import { parseCheckoutConfig, type CheckoutConfig, type CheckoutConfigInput } from "../../server/checkout-config.ts";
import { silentLogger } from "../../server/log.ts";
import { createSqliteStore } from "../../server/store/sqlite.ts";
import { TEST_CONFIG } from "./stack.ts";

/** TEST_CONFIG with `overrides`, parsed. */
export function testConfig(overrides: Partial<CheckoutConfigInput> = {}): CheckoutConfig {
  const parsed = parseCheckoutConfig({ ...TEST_CONFIG, ...overrides }, "test config");
  if (!parsed.ok) throw new Error(parsed.problems.join("\n"));
  return parsed.config;
}

/**
 * Defaults: TEST_CONFIG, a SQLite store in memory of its own (not migrated: for routes that never
 * touch it; closed with the server), no gateway (for routes that never call it), a public URL
 * nothing listens on, no log, no sweep.
 */
export function testServer(options: Partial<CheckoutServerOptions> = {}): CheckoutServer {
  const ownStore = options.store ? null : createSqliteStore({ filename: ":memory:" });
  // Before the server: options it refuses throw, and the store is closed all the same.
  if (ownStore) onTestFinished(() => ownStore.close());
  const server = createCheckoutServer({
    config: testConfig(),
    gateway: {} as never,
    publicUrl: "http://127.0.0.1:9",
    logger: silentLogger,
    sweep: false,
    ...options,
    store: options.store ?? ownStore!,
  });
  onTestFinished(() => server.close());
  return server;
}
