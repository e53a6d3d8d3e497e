/**
 * `npm start` (server/main.ts) as an operator runs it, in a process of its own: sandbox mode mounts
 * the sandbox gateway and the demo shop; a live gateway gets neither.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, type ServerProcess, startServerProcess } from "../support/server-process.ts";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "checkout-main-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function started(env: Record<string, string>, test: (server: ServerProcess) => Promise<void>): Promise<void> {
  const server = await startServerProcess(await freePort(), { CHECKOUT_SQLITE_FILE: join(dir, `${Math.random().toString(36).slice(2)}.db`), LOG_LEVEL: "info", ...env });
  try {
    await test(server);
  } finally {
    await server.stop();
  }
}

describe("npm start", () => {
  it("in sandbox mode serves the demo shop at / and the sandbox gateway beside the server", { timeout: 60_000 }, async () => {
    await started({}, async (server) => {
      const home = await fetch(`${server.url}/`);
      expect(home.status).toBe(200);
      expect(home.headers.get("content-type")).toContain("text/html");
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { mode?: string };
      expect(health.mode).toBe("sandbox");
      expect((await fetch(`${server.url}/sandbox/api/state`)).status).toBe(200);
      // The sandbox's payment page names the shop the dialog names, not a merchant of its own.
      const { merchant_name: shop } = (await (await fetch(`${server.url}/api/checkout/options`)).json()) as { merchant_name: string };
      const created = await fetch(`${server.url}/api/checkout`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: server.url },
        body: JSON.stringify({ amount: "100.00", currency: "php", country: "PH", payment: "gcash" }),
      });
      expect(created.status).toBe(201);
      const { payment_url: paymentUrl } = (await created.json()) as { payment_url: string };
      const payPage = await (await fetch(paymentUrl)).text();
      expect(payPage).toContain(shop);
      expect(payPage).not.toContain("Sandbox Shop");
    });
  });

  it.each([
    ["server/main.ts", "octopus-checkout cannot start", "npm start"],
    ["demo/sandbox/main.ts", "The sandbox gateway cannot start", "npm run sandbox"],
  ])("%s on a port already taken exits 1 with one line saying so and what to do, not a stack trace", { timeout: 60_000 }, async (entry, says, command) => {
    const taken = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, "127.0.0.1", () => resolve((taken.address() as AddressInfo).port)));
    try {
      const failed = await startServerProcess(port, { CHECKOUT_SQLITE_FILE: join(dir, "taken.db") }, entry).then(
        () => null,
        (error: Error) => error.message,
      );
      expect(failed).toContain("exited (1) before it listened");
      expect(failed).toContain(`${says}: 127.0.0.1:${port} is already in use`);
      expect(failed).toContain(`PORT=${port + 1} ${command}`);
      expect(failed).not.toMatch(/\n\s+at |node:events|EADDRINUSE/);
    } finally {
      await new Promise((done) => taken.close(done));
    }
  });

  it("with a database it cannot reach exits 1 with one line naming where and what to check, the password hidden", { timeout: 60_000 }, async () => {
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    const failed = await startServerProcess(await freePort(), { DATABASE_URL: "postgres://checkout:s3cret-pw@127.0.0.1:1/orders" }).then(
      () => null,
      (error: Error) => error.message,
    );
    expect(failed).toContain("exited (1) before it listened");
    expect(failed).toContain("octopus-checkout cannot start: cannot open the store (PostgreSQL at 127.0.0.1:1/orders): connect ECONNREFUSED 127.0.0.1:1; is PostgreSQL running there");
    expect(failed).not.toContain("s3cret-pw");
    expect(failed).not.toMatch(/\n\s+at |triggerUncaughtException/);
  });

  it("with a live gateway mounts no demo and no sandbox", { timeout: 60_000 }, async () => {
    const live = {
      // Never called: nothing here creates an order. Port 9 (discard) on loopback, in case.
      OCTOPUS_API_URL: "http://127.0.0.1:9",
      OCTOPUS_API_KEY: "live-key",
      OCTOPUS_API_SECRET: "live-secret",
      OCTOPUS_MERCHANT_UID: "merchant-1",
    };
    await started(live, async (server) => {
      expect(server.output.join("")).toContain("live gateway 127.0.0.1:9");
      const health = (await (await fetch(`${server.url}/healthz`)).json()) as { mode?: string };
      expect(health.mode).toBe("live");
      for (const path of ["/", "/demo/backend", "/sandbox/api/state", "/octopus/api/order/get"]) {
        expect((await fetch(`${server.url}${path}`)).status, path).toBe(404);
      }
    });
  });
});
