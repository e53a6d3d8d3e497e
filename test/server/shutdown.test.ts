/**
 * SIGTERM, as systemd, Docker or an operator's rolling restart sends it: the server stops taking
 * connections at once, lets the requests it holds finish (a create waiting on a slow gateway
 * included, up to the gateway's timeout) and then exits. Before, it exited 5 s after the signal
 * whatever was in flight: a create still waiting for the gateway lost its answer, and the order
 * stayed "creating" (the shopper's retry answered 409) until the sweep settled it minutes later.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSandboxGateway } from "../../demo/sandbox/gateway.ts";
import { serve, type Served } from "../support/serve.ts";
import { freePort, type ServerProcess, startServerProcess } from "../support/server-process.ts";

let dir: string;
let sandbox: ReturnType<typeof createSandboxGateway>;
let gateway: Served;
let server: ServerProcess | undefined;
let viaNpm: ServerProcess | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "checkout-shutdown-"));
  sandbox = createSandboxGateway();
  gateway = await serve(sandbox.app);
});

afterAll(async () => {
  await server?.kill();
  await viaNpm?.kill();
  sandbox.close();
  await gateway.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("SIGTERM", () => {
  it("lets a create that waits on a slow gateway finish, and takes no new connection meanwhile", async () => {
    const port = await freePort();
    server = await startServerProcess(port, {
      // Live mode against the sandbox on loopback: the path a production deploy takes.
      OCTOPUS_API_URL: gateway.url,
      OCTOPUS_API_KEY: "sandbox-key",
      OCTOPUS_API_SECRET: "sandbox-secret",
      OCTOPUS_MERCHANT_UID: "sandbox-merchant",
      OCTOPUS_TIMEOUT_MS: "10000",
      HOST: "127.0.0.1",
      CHECKOUT_SQLITE_FILE: join(dir, "checkout.db"),
      LOG_LEVEL: "info",
    });
    expect(server.output.join(""), "each instance names its own address at start").toContain(`listening on 127.0.0.1:${port} for ${server.url}/`);
    // Longer than the 5 s the server used to give itself, shorter than the gateway timeout.
    sandbox.controls.setLatency(6_500);
    const started = Date.now();
    const create = fetch(`${server.url}/api/checkout`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: server.url, "Idempotency-Key": crypto.randomUUID() },
      body: JSON.stringify({ amount: "100.00", currency: "php", country: "PH", payment: "gcash" }),
    }).then(
      async (response) => ({ status: response.status, body: (await response.json()) as { status?: string; error?: unknown } }),
      (error: unknown) => ({ status: 0, body: { error: String(error) } as { status?: string; error?: unknown } }),
    );
    // Let the request reach the gateway before the signal.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stopped = server.stop();

    await expect.poll(() => server!.output.join(""), { timeout: 5_000 }).toContain('"msg":"stopping"');
    const refused = await fetch(`${server.url}/healthz`).then(
      (response) => response.status,
      () => 0,
    );
    expect(refused, "a stopping server takes no new connection (a load balancer sends it elsewhere)").toBe(0);

    const answer = await create;
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    expect(answer.body.status).toBe("pending");
    expect(Date.now() - started).toBeGreaterThan(6_000);
    await stopped;
    expect(server.child.exitCode).toBe(0);
    expect(server.output.join("")).toContain('"msg":"stopped"');
  }, 30_000);

  it("sent to `npm start` reaches the server: it drains, and npm exits after it", async () => {
    // npm ran its script through sh (dash, which does not exec a lone command): npm passed the signal
    // to sh, sh died of it, npm exited 0, and the server went on, orphaned and never told to stop.
    const port = await freePort();
    viaNpm = await startServerProcess(
      port,
      {
        OCTOPUS_API_URL: gateway.url,
        OCTOPUS_API_KEY: "sandbox-key",
        OCTOPUS_API_SECRET: "sandbox-secret",
        OCTOPUS_MERCHANT_UID: "sandbox-merchant",
        HOST: "127.0.0.1",
        CHECKOUT_SQLITE_FILE: join(dir, "npm-start.db"),
        LOG_LEVEL: "info",
      },
      "npm start",
    );
    sandbox.controls.setLatency(2_000);
    const create = fetch(`${viaNpm.url}/api/checkout`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: viaNpm.url },
      body: JSON.stringify({ amount: "100.00", currency: "php", country: "PH", payment: "gcash" }),
    }).then(
      (response) => response.status,
      () => 0,
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    const stopped = viaNpm.stop();
    await expect.poll(() => viaNpm!.output.join(""), { timeout: 5_000 }).toContain('"msg":"stopping"');
    expect(await create, "the create in flight when npm was signalled").toBe(201);
    await stopped;
    expect(viaNpm.child.exitCode).toBe(0);
    // npm exited after the server had: its last line is in npm's output, and nothing answers any more.
    expect(viaNpm.output.join("")).toContain('"msg":"stopped"');
    expect(
      await fetch(`${viaNpm.url}/healthz`).then(
        (response) => response.status,
        () => 0,
      ),
    ).toBe(0);
  }, 60_000);
});
