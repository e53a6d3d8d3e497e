import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readServerSettings, type Env } from "../../server/config.ts";
import { TEST_CONFIG } from "../support/stack.ts";

const SECRET = "s3cr3t-Value-9f1c";
const LIVE: Env = {
  OCTOPUS_API_URL: "https://gateway.example.com",
  OCTOPUS_API_KEY: "live-key",
  OCTOPUS_API_SECRET: SECRET,
  OCTOPUS_MERCHANT_UID: "merchant-1",
  CHECKOUT_PUBLIC_URL: "https://pay.example.com",
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "checkout-settings-"));
  writeFileSync(join(dir, "checkout.config.json"), JSON.stringify(TEST_CONFIG));
  writeFileSync(join(dir, "broken.json"), '{"merchantName": "Shop", ');
  writeFileSync(join(dir, "invalid.json"), JSON.stringify({ ...TEST_CONFIG, methods: [{ country: "PH", currency: "php", payment: "gcash", label: "GCash", min: "100.00", max: "20.00" }], orderIdPrefix: "bad prefix!" }));
  mkdirSync(join(dir, "a-directory.json"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function problemsOf(env: Env): string[] {
  const result = readServerSettings(env, { cwd: dir });
  if (result.ok) throw new Error("expected problems, got settings");
  return result.problems;
}

function settingsOf(env: Env) {
  const result = readServerSettings(env, { cwd: dir });
  if (!result.ok) throw new Error(result.problems.join("\n"));
  return result.settings;
}

describe("server settings from the environment", () => {
  it("runs in sandbox mode on 127.0.0.1:8787 with nothing set", () => {
    const settings = settingsOf({});
    expect(settings.gateway.mode).toBe("sandbox");
    expect(settings.gateway).toMatchObject({ apiKey: "sandbox-key", merchantUid: "sandbox-merchant" });
    expect(settings.port).toBe(8787);
    expect(settings.host).toBe("127.0.0.1");
    expect(settings.publicUrl).toBe("http://localhost:8787");
    expect(settings.trustProxy).toBe(0);
    expect(settings.logLevel).toBe("info");
    expect(settings.databaseUrl).toBeUndefined();
    expect(settings.sqliteFile).toBe(resolve(dir, "data/checkout.db"));
    expect(settings.configFile).toBe(resolve(dir, "checkout.config.json"));
    expect(settings.config.merchantName).toBe("Test Shop");
  });

  it("accepts the repository's own checkout.config.json", () => {
    const result = readServerSettings({}, { cwd: resolve(import.meta.dirname, "../..") });
    expect(result.ok).toBe(true);
  });

  it("treats empty variables as unset", () => {
    const settings = settingsOf({ PORT: "", OCTOPUS_API_URL: " ", DATABASE_URL: "", CHECKOUT_ALLOWED_ORIGINS: "" });
    expect(settings.port).toBe(8787);
    expect(settings.gateway.mode).toBe("sandbox");
  });

  it("runs live with all four OCTOPUS_* variables, listening on every interface", () => {
    const settings = settingsOf({ ...LIVE, PORT: "9000", CHECKOUT_ALLOWED_ORIGINS: "https://a.example, https://b.example:8443", CHECKOUT_TRUST_PROXY: "1", DATABASE_URL: "postgres://db.internal/checkout" });
    expect(settings.gateway).toMatchObject({ mode: "live", apiUrl: "https://gateway.example.com", apiKey: "live-key", apiSecret: SECRET, merchantUid: "merchant-1" });
    expect(settings.host).toBe("0.0.0.0");
    expect(settings.port).toBe(9000);
    expect(settings.publicUrl).toBe("https://pay.example.com");
    expect(settings.extraOrigins).toEqual(["https://a.example", "https://b.example:8443"]);
    expect(settings.trustProxy).toBe(1);
    expect(settings.databaseUrl).toBe("postgres://db.internal/checkout");
  });

  it("names each missing variable, one line each, when only some OCTOPUS_* are set", () => {
    const problems = problemsOf({ OCTOPUS_API_URL: "https://gateway.example.com", OCTOPUS_API_SECRET: SECRET });
    expect(problems).toHaveLength(2);
    expect(problems.find((line) => line.startsWith("OCTOPUS_API_KEY"))).toMatch(/missing/);
    expect(problems.find((line) => line.startsWith("OCTOPUS_MERCHANT_UID"))).toMatch(/missing/);
    expect(problemsOf({ OCTOPUS_API_KEY: "k" })).toHaveLength(3);
  });

  it("refuses a misspelt gateway variable rather than start in sandbox mode, naming the right ones", () => {
    for (const name of ["OCTOPUS_KEY", "OCTOPUS_SECRET", "OCTOPUS_API_BASE_URL"]) {
      const problems = problemsOf({ [name]: "set" });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain(name);
      expect(problems[0]).toContain("sandbox mode");
      expect(problems[0]).toContain("OCTOPUS_API_URL, OCTOPUS_API_KEY, OCTOPUS_API_SECRET, OCTOPUS_MERCHANT_UID");
    }
    // Live, a stray name cannot put real orders on a test page: it is said at start, not refused.
    expect(settingsOf({ ...LIVE, OCTOPUS_TIMEOUT: "5000" }).warnings).toEqual([expect.stringContaining("OCTOPUS_TIMEOUT is not a setting of the server and is ignored")]);
  });

  it("says at start which CHECKOUT_* variable it ignores (CHECKOUT_SECRET_KEY for CHECKOUT_SECRET_KEYS), never its value", () => {
    const settings = settingsOf({ CHECKOUT_SECRET_KEY: "sk_live_very_secret_value_0123456789abcdef", CHECKOUT_ALLOWED_ORIGINS: "https://a.example" });
    expect(settings.warnings).toHaveLength(1);
    expect(settings.warnings[0]).toMatch(/^CHECKOUT_SECRET_KEY is not a setting of the server and is ignored; it reads .*CHECKOUT_SECRET_KEYS/);
    expect(settings.warnings[0]).not.toContain("very_secret");
    expect(settingsOf({}).warnings).toEqual([]);
  });

  it.each([["80a"], ["0"], ["70000"], ["-1"], ["8080.5"], ["0x50"]])("refuses PORT=%s, naming it", (port) => {
    const problems = problemsOf({ PORT: port });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^PORT must be a whole number from 1 to 65535$/);
  });

  it.each([["https://shop.example/"], ["https://shop.example/path"], ["*"], ["shop.example"], ["ftp://shop.example"], ["https://*.shop.example"]])(
    "refuses CHECKOUT_ALLOWED_ORIGINS entry %s, naming it",
    (origin) => {
      const problems = problemsOf({ CHECKOUT_ALLOWED_ORIGINS: `https://good.example, ${origin}` });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain("CHECKOUT_ALLOWED_ORIGINS");
      expect(problems[0]).toContain(`"${origin}"`);
    },
  );

  it.each([["mysql://db/checkout"], ["sqlite:data/checkout.db"], ["data/checkout.db"]])("refuses DATABASE_URL=%s, which is not PostgreSQL", (url) => {
    const problems = problemsOf({ DATABASE_URL: url });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^DATABASE_URL must be a postgres/);
  });

  it("refuses a wildcard among the config file's allowedOrigins: origins match exactly", () => {
    writeFileSync(join(dir, "wildcard.json"), JSON.stringify({ ...TEST_CONFIG, allowedOrigins: ["https://shop.example", "https://*.shop.example"] }));
    const problems = problemsOf({ CHECKOUT_CONFIG: "wildcard.json" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/allowedOrigins\.1: must be an exact origin/);
    // The file, then the setting, each followed by a colon: "…/wildcard.json: allowedOrigins.1: …".
    expect(problems[0]).toMatch(/^\S*wildcard\.json: allowedOrigins\.1: /);
  });

  it("names a config file it cannot read", () => {
    for (const file of ["missing.json", "a-directory.json"]) {
      const problems = problemsOf({ CHECKOUT_CONFIG: file });
      expect(problems).toEqual([`CHECKOUT_CONFIG: cannot read ${resolve(dir, file)}`]);
    }
  });

  it.skipIf(process.getuid?.() === 0)("names a config file without read permission", () => {
    const file = join(dir, "locked.json");
    writeFileSync(file, JSON.stringify(TEST_CONFIG));
    chmodSync(file, 0o000);
    expect(problemsOf({ CHECKOUT_CONFIG: file })).toEqual([`CHECKOUT_CONFIG: cannot read ${file}`]);
  });

  it("names a config file that is not JSON", () => {
    const problems = problemsOf({ CHECKOUT_CONFIG: "broken.json" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(resolve(dir, "broken.json"));
    expect(problems[0]).toMatch(/not valid JSON/);
  });

  it("names every invalid field of the config file, with its path", () => {
    const problems = problemsOf({ CHECKOUT_CONFIG: "invalid.json" });
    expect(problems.length).toBeGreaterThanOrEqual(2);
    for (const line of problems) expect(line).toContain(resolve(dir, "invalid.json"));
    expect(problems.some((line) => /orderIdPrefix/.test(line))).toBe(true);
    expect(problems.some((line) => /methods\.0\.min/.test(line))).toBe(true);
  });

  it("reports every problem together, one line each", () => {
    const problems = problemsOf({
      PORT: "99999",
      CHECKOUT_ALLOWED_ORIGINS: "https://ok.example,https://bad.example/x",
      DATABASE_URL: "mysql://db",
      OCTOPUS_API_URL: "https://gateway.example.com",
      OCTOPUS_API_SECRET: SECRET,
      LOG_LEVEL: "verbose",
      CHECKOUT_CONFIG: "missing.json",
    });
    expect(problems).toHaveLength(7);
    for (const name of ["PORT", "CHECKOUT_ALLOWED_ORIGINS", "DATABASE_URL", "OCTOPUS_API_KEY", "OCTOPUS_MERCHANT_UID", "LOG_LEVEL", "CHECKOUT_CONFIG"]) {
      expect(problems.filter((line) => line.startsWith(name)), name).toHaveLength(1);
    }
    for (const line of problems) expect(line).not.toContain("\n");
  });

  it("asks for https for a live gateway's public URL, except on this machine", () => {
    expect(problemsOf({ ...LIVE, CHECKOUT_PUBLIC_URL: "http://pay.example.com" })).toEqual([expect.stringMatching(/^CHECKOUT_PUBLIC_URL must be https/)]);
    expect(settingsOf({ ...LIVE, CHECKOUT_PUBLIC_URL: "http://localhost:8787" }).publicUrl).toBe("http://localhost:8787");
    expect(problemsOf({ CHECKOUT_PUBLIC_URL: "pay.example.com" })).toEqual([expect.stringMatching(/^CHECKOUT_PUBLIC_URL must be an absolute/)]);
  });

  it("asks for https for the live gateway itself: its order/get answers decide what is paid", () => {
    expect(problemsOf({ ...LIVE, OCTOPUS_API_URL: "http://gateway.example.com" })).toEqual([expect.stringMatching(/^OCTOPUS_API_URL must be https/)]);
    expect(settingsOf({ ...LIVE, OCTOPUS_API_URL: "http://127.0.0.1:8788" }).gateway.apiUrl).toBe("http://127.0.0.1:8788");
  });

  it("never echoes OCTOPUS_API_SECRET, whatever else is wrong", () => {
    const envs: Env[] = [
      { OCTOPUS_API_SECRET: SECRET },
      { ...LIVE, OCTOPUS_API_URL: SECRET, OCTOPUS_API_KEY: `key & ${SECRET}`, OCTOPUS_MERCHANT_UID: `=${SECRET}` },
      { ...LIVE, CHECKOUT_PUBLIC_URL: "http://pay.example.com", PORT: SECRET, CHECKOUT_TRUST_PROXY: SECRET, OCTOPUS_TIMEOUT_MS: SECRET, LOG_LEVEL: SECRET, CHECKOUT_CONFIG: "broken.json" },
    ];
    for (const env of envs) {
      const problems = problemsOf(env);
      expect(problems.length).toBeGreaterThan(0);
      expect(problems.join("\n")).not.toContain(SECRET);
    }
  });
});

describe("merchant API and webhook settings", () => {
  const KEY = "sk_live_abcdefghijklmnopqrstuvwxyz012345";
  const WHSEC = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

  it("takes several secret keys, and the sandbox's public key only in sandbox mode", async () => {
    expect(settingsOf({ ...LIVE, CHECKOUT_SECRET_KEYS: `${KEY}, sk_live_second_key_000000000000000000000` }).secretKeys).toEqual([KEY, "sk_live_second_key_000000000000000000000"]);
    expect(settingsOf(LIVE)).toMatchObject({ secretKeys: [], sandboxSecretKey: false });
    const { SANDBOX_SECRET_KEY } = await import("../../server/config.ts");
    expect(settingsOf({})).toMatchObject({ secretKeys: [SANDBOX_SECRET_KEY], sandboxSecretKey: true });
    expect(problemsOf({ ...LIVE, CHECKOUT_SECRET_KEYS: SANDBOX_SECRET_KEY })).toEqual([expect.stringContaining("public sandbox key")]);
  });

  it("names a malformed key by its position, never by its value", () => {
    const problems = problemsOf({ ...LIVE, CHECKOUT_SECRET_KEYS: `${KEY},pk_short_secret_value` });
    expect(problems).toEqual(["CHECKOUT_SECRET_KEYS: key 2 must be sk_ followed by at least 32 of A-Z a-z 0-9 _ -"]);
    expect(problems.join()).not.toContain("pk_short_secret_value");
  });

  it("checks the webhook endpoint's URL and secret", () => {
    expect(settingsOf({ ...LIVE, CHECKOUT_WEBHOOK_URL: "https://shop.example.com/hooks", CHECKOUT_WEBHOOK_SECRET: WHSEC }).webhooks).toEqual([
      { name: "default", url: "https://shop.example.com/hooks", secret: WHSEC, types: null },
    ]);
    expect(problemsOf({ ...LIVE, CHECKOUT_WEBHOOK_URL: "http://shop.example.com/hooks", CHECKOUT_WEBHOOK_SECRET: WHSEC })).toEqual([expect.stringMatching(/url must be https/)]);
    expect(problemsOf({ ...LIVE, CHECKOUT_WEBHOOK_URL: "https://10.0.0.5/hooks", CHECKOUT_WEBHOOK_SECRET: WHSEC })).toEqual([expect.stringMatching(/private or loopback/)]);
    expect(problemsOf({ ...LIVE, CHECKOUT_WEBHOOK_URL: "https://localhost/hooks", CHECKOUT_WEBHOOK_SECRET: WHSEC })).toEqual([expect.stringMatching(/private or loopback/)]);
    expect(problemsOf({ ...LIVE, CHECKOUT_WEBHOOK_URL: "https://shop.example.com/hooks", CHECKOUT_WEBHOOK_SECRET: "whsec_tooshort" })).toEqual([expect.stringMatching(/^CHECKOUT_WEBHOOK_SECRET must be whsec_/)]);
    expect(problemsOf({ ...LIVE, CHECKOUT_WEBHOOK_URL: "https://shop.example.com/hooks" })).toEqual([expect.stringMatching(/CHECKOUT_WEBHOOK_SECRET is not set/)]);
    expect(problemsOf({ ...LIVE, CHECKOUT_WEBHOOK_SECRET: WHSEC })).toEqual(["CHECKOUT_WEBHOOK_SECRET is set but CHECKOUT_WEBHOOK_URL is not"]);
  });

  it("lets sandbox mode send to this machine, and sends to the demo's backend by default", () => {
    expect(settingsOf({ CHECKOUT_WEBHOOK_URL: "http://127.0.0.1:3000/hooks", CHECKOUT_WEBHOOK_SECRET: WHSEC }).webhooks[0]!.url).toBe("http://127.0.0.1:3000/hooks");
    expect(settingsOf({}).webhooks).toEqual([{ name: "default", url: "http://localhost:8787/demo/backend/webhooks", secret: expect.stringMatching(/^whsec_/), types: null }]);
  });

  it("reads more endpoints from the config file, each with its secret's variable and event types", () => {
    const file = join(dir, "webhooks.json");
    writeFileSync(
      file,
      JSON.stringify({
        ...TEST_CONFIG,
        webhooks: [
          { name: "erp", url: "https://erp.example.com/octopus", secretEnv: "WEBHOOK_SECRET_ERP", types: ["order.paid", "order.refunded"] },
          { name: "office", url: "http://192.168.1.20/hooks", secretEnv: "WEBHOOK_SECRET_OFFICE" },
        ],
        allowPrivateWebhookUrls: true,
      }),
    );
    const settings = settingsOf({ ...LIVE, CHECKOUT_CONFIG: file, WEBHOOK_SECRET_ERP: WHSEC, WEBHOOK_SECRET_OFFICE: WHSEC });
    expect(settings.webhooks.map((endpoint) => [endpoint.name, endpoint.types])).toEqual([
      ["erp", ["order.paid", "order.refunded"]],
      ["office", null],
    ]);
    expect(problemsOf({ ...LIVE, CHECKOUT_CONFIG: file, WEBHOOK_SECRET_ERP: WHSEC })).toEqual(['webhook "office": WEBHOOK_SECRET_OFFICE is not set']);
  });

  it("takes the webhook lease in seconds, never shorter than a send can take", () => {
    expect(settingsOf({}).webhookLeaseMs).toBe(60_000);
    expect(settingsOf({ CHECKOUT_WEBHOOK_LEASE_SECONDS: "20" }).webhookLeaseMs).toBe(20_000);
    expect(problemsOf({ CHECKOUT_WEBHOOK_LEASE_SECONDS: "5" })).toEqual(["CHECKOUT_WEBHOOK_LEASE_SECONDS must be a whole number from 20 to 3600"]);
  });
});
