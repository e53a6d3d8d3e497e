import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrderStore } from "../../server/store/types.ts";
import { gatewayReader, readJson } from "../support/stack-requests.ts";
import { startStack, type Stack } from "../support/stack.ts";
import { testServer } from "../support/test-server.ts";

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.close();
});

describe("GET /healthz", () => {
  it("answers 200 with the store kind while the store answers", async () => {
    const response = await fetch(`${stack.url}/healthz`);
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    expect(await readJson(response)).toEqual({ status: "ok", mode: "live", store: "sqlite" });
  });

  it("answers 503 when the store's ping fails, without the store's error", async () => {
    let down = true;
    const flaky: OrderStore = Object.assign(Object.create(stack.store) as OrderStore, {
      kind: stack.store.kind,
      ping: async () => {
        if (down) throw new Error("connection refused: postgres://admin:hunter2@db.internal/checkout");
      },
    });
    const { app } = testServer({ store: flaky, gateway: gatewayReader(stack), publicUrl: stack.url });
    const response = await app.request("/healthz");
    expect(response.status).toBe(503);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ status: "unavailable", mode: "live", store: "sqlite" });
    expect(text).not.toContain("hunter2");
    down = false;
    expect((await app.request("/healthz")).status).toBe(200);
  });

  it("answers 503 once the store is closed", async () => {
    const closing = await startStack();
    await closing.store.close();
    const response = await closing.app.request("/healthz");
    expect(response.status).toBe(503);
    await closing.close();
  });
});
