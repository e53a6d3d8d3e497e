/** The standalone sandbox's settings (demo/sandbox/settings.ts): defaults, overrides, and one line per problem. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SandboxConfigError as ConfigError, readSandboxSettings } from "../../demo/sandbox/settings.ts";
import { repoPath, ROOT, staticClosure } from "../support/import-graph.ts";

describe("readSandboxSettings", () => {
  it("has defaults for everything, on loopback", () => {
    expect(readSandboxSettings({})).toEqual({ port: 8788, host: "127.0.0.1", apiKey: "sandbox-key", apiSecret: "sandbox-secret", merchantUid: "sandbox-merchant" });
  });

  it("reads overrides, and takes an empty variable as unset", () => {
    expect(readSandboxSettings({ PORT: "9000", SANDBOX_API_KEY: "k", SANDBOX_API_SECRET: "s3cr3t", SANDBOX_MERCHANT_UID: "M_1" })).toEqual({
      port: 9000,
      host: "127.0.0.1",
      apiKey: "k",
      apiSecret: "s3cr3t",
      merchantUid: "M_1",
    });
    expect(readSandboxSettings({ PORT: "", SANDBOX_API_KEY: "" }).port).toBe(8788);
  });

  it("refuses a bad PORT", () => {
    for (const PORT of ["abc", "0", "65536", "80.5", "-1", " 80"]) {
      expect(() => readSandboxSettings({ PORT })).toThrow("PORT must be a whole number from 1 to 65535");
    }
  });

  it("reports every problem, one line each, without echoing values", () => {
    let error: unknown;
    try {
      readSandboxSettings({ PORT: "x", SANDBOX_API_KEY: "has space", SANDBOX_API_SECRET: "with space", SANDBOX_MERCHANT_UID: "a&b" });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as ConfigError).message.split("\n");
    expect(lines).toHaveLength(4);
    expect(lines[0]).toMatch(/^PORT /);
    expect(lines.some((line) => line.startsWith("SANDBOX_API_KEY "))).toBe(true);
    expect(lines.some((line) => line.startsWith("SANDBOX_API_SECRET "))).toBe(true);
    expect(lines.some((line) => line.startsWith("SANDBOX_MERCHANT_UID "))).toBe(true);
    expect((error as ConfigError).message).not.toContain("with space");
    expect((error as ConfigError).problems).toEqual(lines);
  });
});

describe("the standalone sandbox's imports", () => {
  it("reach nothing of the server that reaches back into demo/ (no cycle with server/main.ts)", () => {
    const files = [...staticClosure(join(ROOT, "demo/sandbox/main.ts"))].map(repoPath);
    const server = files.filter((file) => file.startsWith("server/")).sort();
    expect(server).toEqual(["server/gateway/amount.ts", "server/gateway/schemas.ts", "server/gateway/sensitive-fields.ts", "server/gateway/signing.ts", "server/http/listen-problem.ts"]);
    expect(files.filter((file) => file.startsWith("demo/") && !file.startsWith("demo/sandbox/"))).toEqual([]);
  });
});
