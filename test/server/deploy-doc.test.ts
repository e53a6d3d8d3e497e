/**
 * docs/deploy.md and the README's settings table against what the server really reads: a variable
 * renamed, added or dropped in server/config.ts without the docs (or a typo in the docs) fails here.
 * What the server reads is observed, not grepped: the settings are parsed from an environment that
 * records every name asked for, in sandbox mode and in live mode.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readServerSettings } from "../../server/config.ts";

const ROOT = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, ROOT), "utf8");

function namesReadFrom(values: Record<string, string>): Set<string> {
  const names = new Set<string>();
  const env = new Proxy(values, {
    get(target, name) {
      if (typeof name === "string") names.add(name);
      return target[name as string];
    },
    getOwnPropertyDescriptor(target, name) {
      if (typeof name === "string") names.add(name);
      return Reflect.getOwnPropertyDescriptor(target, name);
    },
  });
  readServerSettings(env);
  return names;
}

const LIVE = {
  OCTOPUS_API_URL: "https://gateway.example.com",
  OCTOPUS_API_KEY: "live-key",
  OCTOPUS_API_SECRET: "live-secret",
  OCTOPUS_MERCHANT_UID: "merchant-1",
  CHECKOUT_PUBLIC_URL: "https://pay.example.com",
};
const serverReads = new Set([...namesReadFrom({}), ...namesReadFrom(LIVE)]);

/** The first cell of each row of the Markdown table whose header starts with `| variable |`: the names in backticks. */
function settingsTable(markdown: string, where: string): Set<string> {
  const lines = markdown.split("\n");
  const start = lines.findIndex((line) => /^\| variable \|/.test(line));
  if (start < 0) throw new Error(`${where} has no table starting "| variable |"`);
  const names = new Set<string>();
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith("|")) break;
    const firstCell = line.split("|")[1] ?? "";
    for (const [, name] of firstCell.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(name!);
  }
  return names;
}

describe("the deployment guide's settings", () => {
  it("observes the server reading its variables (else this test proves nothing)", () => {
    expect(serverReads).toContain("DATABASE_URL");
    expect(serverReads).toContain("OCTOPUS_API_SECRET");
    expect(serverReads.size).toBeGreaterThan(10);
  });

  for (const [path, where] of [
    ["docs/deploy.md", "docs/deploy.md"],
    ["README.md", "the README's Configure section"],
  ] as const) {
    it(`${where} lists exactly the variables the server reads`, () => {
      const documented = settingsTable(read(path), path);
      expect([...documented].filter((name) => !serverReads.has(name)).sort(), `in ${path} but never read by the server`).toEqual([]);
      expect([...serverReads].filter((name) => !documented.has(name)).sort(), `read by the server but missing from ${path}'s table`).toEqual([]);
    });
  }

  it("names no CHECKOUT_* or OCTOPUS_* variable anywhere in docs/deploy.md that the server does not read", () => {
    const named = new Set([...read("docs/deploy.md").matchAll(/\b((?:CHECKOUT|OCTOPUS)_[A-Z0-9_]+)/g)].map((match) => match[1]!));
    expect([...named].filter((name) => !serverReads.has(name)).sort()).toEqual([]);
  });

  it("is linked from the README", () => {
    expect(read("README.md").includes("](docs/deploy.md)"), "the README has no link to docs/deploy.md").toBe(true);
  });
});
